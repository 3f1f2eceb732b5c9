/** The Files API: upload (multipart), list, retrieve, download and delete. */
import type { Hono, HonoRequest } from 'hono';
import { InvalidRequestError } from '../errors';
import { expiresAfterSeconds, noSuchFile, UPLOAD_PURPOSES, type FilePurpose, type FileStore } from './files';
import { listQuery, page } from './list';

type UploadForm = Record<string, string | File>;

async function uploadForm(request: HonoRequest): Promise<UploadForm> {
  try {
    return await request.parseBody();
  } catch {
    throw new InvalidRequestError('Upload the file as multipart/form-data with the fields file and purpose.', 'file');
  }
}

/** The multipart form's `expires_after[anchor]` and `expires_after[seconds]` (how the SDKs send the object). */
function formExpiry(form: UploadForm): number | undefined {
  const anchor = form['expires_after[anchor]'];
  const seconds = form['expires_after[seconds]'];
  if (anchor === undefined && seconds === undefined) return undefined;
  return expiresAfterSeconds({ anchor, seconds: Number(seconds) }, 'expires_after');
}

export function mountFiles(app: Hono, files: FileStore): void {
  app.post('/v1/files', async (c) => {
    const form = await uploadForm(c.req);
    const file = form.file;
    if (file === undefined || typeof file === 'string') throw new InvalidRequestError("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
    const purpose = form.purpose;
    if (!(UPLOAD_PURPOSES as readonly unknown[]).includes(purpose)) {
      throw new InvalidRequestError(`'purpose' must be one of ${UPLOAD_PURPOSES.join(', ')}.`, 'purpose');
    }
    const content = new Uint8Array(await file.arrayBuffer());
    return c.json(files.add(file.name, purpose as FilePurpose, content, formExpiry(form)));
  });

  app.get('/v1/files', (c) => {
    const params = new URL(c.req.url).searchParams;
    const query = listQuery(params, { limit: 10_000, maxLimit: 10_000, order: 'desc' });
    const purpose = params.get('purpose');
    return c.json(page(files.list().filter((file) => purpose === null || file.purpose === purpose), query));
  });

  app.get('/v1/files/:id', (c) => c.json(files.get(c.req.param('id')).file));

  app.get('/v1/files/:id/content', (c) => {
    const { content } = files.get(c.req.param('id'));
    return new Response(content, { headers: { 'content-type': 'application/octet-stream' } });
  });

  app.delete('/v1/files/:id', (c) => {
    const id = c.req.param('id');
    if (!files.delete(id)) throw noSuchFile(id);
    return c.json({ id, object: 'file', deleted: true });
  });
}
