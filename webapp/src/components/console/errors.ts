// How a failed admin call reads on the page: the server's message and, when it adds
// one, its detailed error (which names the field, the file or the refused permission).

import { ApiError } from '../../api/client';

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const detail = typeof e.body.detailed_error === 'string' ? e.body.detailed_error : '';
    return detail && detail !== e.message ? `${e.message} ${detail}` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The setting a settings error is about: the server names it in backquotes. */
export function settingKeyOf(e: unknown): string | null {
  if (!(e instanceof ApiError) || typeof e.body.detailed_error !== 'string') return null;
  const m = /`([^`]+)`/.exec(e.body.detailed_error);
  return m ? m[1] : null;
}

/** The server's detailed error alone (beside a field, where the general message adds nothing). */
export function detailOf(e: unknown): string {
  if (e instanceof ApiError && typeof e.body.detailed_error === 'string' && e.body.detailed_error) return e.body.detailed_error;
  return errorText(e);
}
