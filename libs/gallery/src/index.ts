export { startGallery } from './start-gallery';
export type { RunningGallery } from './start-gallery';
export type { GalleryOptions } from './gallery-options';
export { GalleryError } from './errors';
