import sharp, { type Sharp } from 'sharp';

/** Larger images (in pixels) are refused before decoding: a small file can decode to gigabytes. */
const MAX_INPUT_PIXELS = 50_000_000;
const THUMBNAIL_PX = 320;
const PREVIEW_PX = 1280;
const AVATAR_PX = 256;

sharp.cache(false);

export interface ProcessedImage {
  /** The image turned upright by its EXIF orientation, re-encoded without any metadata (EXIF, GPS, XMP). */
  original: Buffer;
  width: number;
  height: number;
  thumbnail: Buffer;
  preview: Buffer;
}

/** sharp could not read the bytes as the image they sniffed as. */
export class UnreadableImageError extends Error {
  constructor(cause: unknown) {
    super('the image could not be decoded', { cause });
    this.name = 'UnreadableImageError';
  }
}

/**
 * Re-encodes an uploaded image (from a file path) in its own format: auto-rotated by EXIF, then
 * stripped of all metadata — sharp keeps none unless asked. Animated GIFs and WebPs keep their frames;
 * the thumbnail (~320 px) and preview (~1280 px) are WebP stills of the first frame.
 */
export async function processImage(path: string, mime: string): Promise<ProcessedImage> {
  try {
    const animated = mime === 'image/gif' || mime === 'image/webp';
    const input = () => sharp(path, { limitInputPixels: MAX_INPUT_PIXELS, animated: false, failOn: 'error' });
    const base = sharp(path, { limitInputPixels: MAX_INPUT_PIXELS, animated, failOn: 'error' }).rotate();
    const encoded =
      mime === 'image/jpeg'
        ? base.jpeg({ quality: 85, mozjpeg: true })
        : mime === 'image/png'
          ? base.png({ compressionLevel: 9 })
          : mime === 'image/webp'
            ? base.webp({ quality: 85 })
            : base.gif();
    const [{ data: original, info }, thumbnail, preview] = await Promise.all([
      encoded.toBuffer({ resolveWithObject: true }),
      still(input(), THUMBNAIL_PX, 70),
      still(input(), PREVIEW_PX, 80),
    ]);
    // An animation's height is its frames stacked; the page height is the picture's.
    const height = info.pageHeight ?? info.height;
    return { original, width: info.width, height, thumbnail, preview };
  } catch (error) {
    throw new UnreadableImageError(error);
  }
}

/** A profile photo: upright, the centre cropped square, 256 px WebP, no metadata. */
export async function processAvatar(path: string): Promise<Buffer> {
  try {
    return await sharp(path, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize(AVATAR_PX, AVATAR_PX, { fit: 'cover', position: 'attention' })
      .webp({ quality: 80 })
      .toBuffer();
  } catch (error) {
    throw new UnreadableImageError(error);
  }
}

function still(image: Sharp, px: number, quality: number): Promise<Buffer> {
  return image
    .rotate()
    .resize(px, px, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality })
    .toBuffer();
}
