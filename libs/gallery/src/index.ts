export { startGallery } from './start-gallery';
export type { RunningGallery } from './start-gallery';
export { GalleryError } from './errors';
