/** `import text from "./file?raw"`: a file's contents as a string (wrangler's Text rule, Vite's ?raw). */
declare module "*?raw" {
  const text: string;
  export default text;
}
