import { useState } from 'preact/hooks';
import { ApiProblem, api, must, type Schemas } from '../api/client';
import { useAction } from '../api/use-resource';
import { FieldError, ProblemBanner } from '../components/problem';

/** Sends the file straight to storage with the signed upload the API hands out; the upload is then on the feed. */
const uploadFile = async (id: string, file: File) => {
  const { upload } = await must(
    // The API checks the type against its list and answers 422 with the reason, shown next to the field.
    api.POST('/leads/{id}/attachments', {
      params: { path: { id } },
      body: {
        fileName: file.name,
        contentType: (file.type || 'application/octet-stream') as Schemas['AttachmentContentType'],
        size: file.size,
      },
    }),
  );
  const put = await fetch(upload.url, { method: upload.method, body: file, headers: upload.headers });
  if (!put.ok) {
    const type = put.headers.get('content-type') ?? '';
    if (type.includes('json')) throw new ApiProblem((await put.json()) as Schemas['Problem']);
    throw new Error(`The upload failed (${put.status})`);
  }
};

/** Attaches a file to the lead, saying what it is doing; a refused size or type is explained next to the field. */
export const LeadAttachmentForm = ({ id, onAdded }: { id: string; onAdded: () => Promise<void> }) => {
  const [status, setStatus] = useState<string>();
  const attach = useAction(async (file: File) => {
    setStatus(`Uploading ${file.name}…`);
    try {
      await uploadFile(id, file);
    } catch (e) {
      setStatus(undefined);
      throw e;
    }
    setStatus(`${file.name} attached.`);
    await onAdded();
  });
  return (
    <div class="actions">
      <label>
        Attach a file
        <input
          type="file"
          onChange={(e) => e.currentTarget.files?.[0] && void attach.run(e.currentTarget.files[0])}
          aria-describedby="err-size"
        />
        <FieldError error={attach.error} field="size" id="err-size" />
        <FieldError error={attach.error} field="contentType" id="err-type" />
      </label>
      {status && <span role="status">{status}</span>}
      <ProblemBanner error={attach.error} />
    </div>
  );
};
