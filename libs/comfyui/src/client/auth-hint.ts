/**
 * The fix for a 401/403: the server (or a proxy in front of it) wants credentials. Names the
 * setting and how to write it; says whether a header was sent, never its value.
 */
export function authNeededMessage(headers: Record<string, string>): string {
  const sent = Object.keys(headers);
  const state = sent.length ? `Kiln sent the header(s) ${sent.join(', ')}, which the server did not accept` : 'Kiln sent no credentials';
  return (
    `The server needs authentication (${state}). Set COMFYUI_AUTH_HEADER to the header it expects, ` +
    `e.g. COMFYUI_AUTH_HEADER="Authorization: Bearer <token>", or put user:password@ in COMFYUI_BASE_URL for Basic auth.`
  );
}
