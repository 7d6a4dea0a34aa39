export type FolderType = 'output' | 'input' | 'temp';

export interface AnnotatedPath {
  name: string;
  folderType: FolderType | undefined;
}

/**
 * `folder_paths.annotated_filepath`: a trailing `[output]`, `[input]` or `[temp]` picks the folder.
 * ComfyUI cuts a fixed length (the tag plus one space) without checking for the space; so do we.
 */
export function parseAnnotatedPath(name: string): AnnotatedPath {
  if (name.endsWith('[output]')) return { name: name.slice(0, -9), folderType: 'output' };
  if (name.endsWith('[input]')) return { name: name.slice(0, -8), folderType: 'input' };
  if (name.endsWith('[temp]')) return { name: name.slice(0, -7), folderType: 'temp' };
  return { name, folderType: undefined };
}

/** Python's `os.path.commonpath((base, candidate)) == base` for absolute, normalized POSIX paths. */
export function isInside(base: string, candidate: string): boolean {
  return candidate === base || candidate.startsWith(base.endsWith('/') ? base : `${base}/`);
}
