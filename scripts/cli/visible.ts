/**
 * Text from the server made safe to print. A stored value (a key's name, an end user, an upstream's
 * error) may hold control characters that a terminal obeys: ESC and the C1 CSI (U+009B) start
 * sequences that recolor, move the cursor or rewrite the screen. Each becomes a visible escape.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const LINE_BREAKS = /[\t\n\r]+/g;

const escaped = (c: string) => {
  const code = c.charCodeAt(0);
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/** Every C0 control but tab and newline, DEL and every C1 control as `\x1b`, `\u009b`. */
export const visible = (text: string) => text.replace(CONTROL, escaped);

/** One line: tabs and line breaks a space (a table cell, a message on stderr), the other controls visible. */
export const oneLine = (text: string) => visible(text.replace(LINE_BREAKS, " "));
