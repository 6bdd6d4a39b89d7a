//! A product's photo as the website shows it (feature `photo`): whatever a phone or a camera gave
//! (JPEG, PNG or WebP) turned into the picture the café's website loads for the product's card —
//! a 360×240 palette PNG under `images/items/`, upright, cropped to 3:2 around a focus point, and
//! with nothing of the original's metadata (a phone photo carries where it was taken).
//!
//! Pure: bytes in, bytes out. Where the photo comes from and where the picture goes is
//! [`crate::bucket`]'s business.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

pub use crate::product::picture::{
    Focus, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, PICTURE_HEIGHT, PICTURE_WIDTH,
};

/// The most one decode may allocate: the largest photo as 8-bit RGBA is 100 MB; a 16-bit PNG
/// that would need more is refused rather than held. With the photo's own bytes, a conversion
/// to 8-bit and the resize's buffers, one conversion holds at most 256 MB
/// (`shared/tests/photo_memory.rs` measures it: a 25 MP JPEG ~80 MB, a 13 MP 16-bit RGBA PNG
/// ~200 MB, a bomb's header 0.1 MB); the photo function has 1,024 MB.
pub const MAX_DECODE_BYTES: u64 = 4 * MAX_PHOTO_PIXELS + 16 * 1024 * 1024;
/// Why a photo cannot become a picture: each says what is wrong in the staff's words.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PhotoProblem {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; photos may be up to {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("the file is not a photo (JPEG, PNG or WebP), whatever its name says")]
    NotAPhoto,
    #[error("{0} files are not taken: save the photo as JPEG, PNG or WebP")]
    Unsupported(String),
    #[error(
        "the photo is {width}×{height} pixels ({megapixels} MP); photos may have up to {limit} MP"
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        megapixels: u64,
        limit: u64,
    },
    #[error(
        "the photo is {width}×{height} pixels; it needs at least {PICTURE_WIDTH}×{PICTURE_HEIGHT}"
    )]
    TooSmall { width: u32, height: u32 },
    #[error("the photo could not be read (truncated or damaged): {0}")]
    Damaged(String),
    /// 16 bits a channel at a size that would need more memory than the largest 8-bit photo.
    #[error(
        "the photo has more colour depth than the website can use at this size (16 bits a \
         channel): save it as an 8-bit JPEG or PNG"
    )]
    TooDeep,
}

/// The website's picture, ready to store.
pub struct Picture {
    pub png: Vec<u8>,
    /// The photo's size after it was turned upright.
    pub source_width: u32,
    pub source_height: u32,
}

/// Turns a photo's bytes into the website's picture of the product: decoded within the pixel
/// and allocation limits, turned upright by its EXIF orientation, cropped to 3:2 around `focus`,
/// resized with Lanczos3, reduced to a 256-colour palette and written as an optimised PNG that
/// carries no metadata at all.
pub fn website_picture(bytes: &[u8], focus: Focus) -> Result<Picture, PhotoProblem> {
    let photo = decode(bytes)?;
    let (width, height) = (photo.width(), photo.height());
    if width < PICTURE_WIDTH || height < PICTURE_HEIGHT {
        return Err(PhotoProblem::TooSmall { width, height });
    }
    let rgba = resized(&photo, focus);
    drop(photo);
    Ok(Picture {
        png: palette_png(&rgba),
        source_width: width,
        source_height: height,
    })
}

/// The photo's pixels, upright. The format is judged from the bytes, never from a name or a
/// declared type; the size from the header, before anything is allocated.
fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoProblem> {
    if bytes.is_empty() {
        return Err(PhotoProblem::Empty);
    }
    if bytes.len() as u64 > MAX_PHOTO_BYTES {
        return Err(PhotoProblem::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_PHOTO_BYTES,
        });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoProblem::Damaged(e.to_string()))?;
    match reader.format() {
        // A JPEG cut short decodes without complaint, its missing rows grey: one that does not
        // end with its end-of-image marker (after any padding) is refused instead.
        Some(ImageFormat::Jpeg) if !jpeg_ends_whole(bytes) => {
            return Err(PhotoProblem::Damaged(
                "the JPEG ends before its image does".to_owned(),
            ))
        }
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        Some(other) => {
            return Err(PhotoProblem::Unsupported(
                other.extensions_str()[0].to_uppercase(),
            ))
        }
        None => return Err(PhotoProblem::NotAPhoto),
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PHOTO_PIXELS {
        return Err(PhotoProblem::TooManyPixels {
            width,
            height,
            megapixels: pixels.div_ceil(1_000_000),
            limit: MAX_PHOTO_PIXELS / 1_000_000,
        });
    }
    // A photo without EXIF, or with an orientation we cannot read, is taken as it is stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut photo = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    photo.apply_orientation(orientation);
    Ok(photo)
}

/// Whether a JPEG's image reaches its end-of-image marker: its segments walked from the start
/// (each skipped by its length, so a thumbnail's own markers inside the EXIF block do not count),
/// each scan's data to the next marker, until the marker that ends the image. What follows it
/// (the video of a phone's "motion photo", a maker's trailer) is not the image's business.
fn jpeg_ends_whole(bytes: &[u8]) -> bool {
    let mut at = 2; // past SOI
    while at + 1 < bytes.len() {
        if bytes[at] != 0xFF {
            return false;
        }
        let marker = bytes[at + 1];
        match marker {
            0xD9 => return true,           // EOI
            0xFF => at += 1,               // fill byte
            0x01 | 0xD0..=0xD7 => at += 2, // no length
            _ => {
                let Some(length) = bytes.get(at + 2..at + 4) else {
                    return false;
                };
                at += 2 + usize::from(u16::from_be_bytes([length[0], length[1]]));
                if marker == 0xDA {
                    // The scan's data: up to the next marker that is not a stuffed 0xFF00 or a
                    // restart marker.
                    while at + 1 < bytes.len()
                        && !(bytes[at] == 0xFF
                            && bytes[at + 1] != 0x00
                            && !(0xD0..=0xD7).contains(&bytes[at + 1]))
                    {
                        at += 1;
                    }
                }
            }
        }
    }
    false
}

fn damaged(e: image::ImageError) -> PhotoProblem {
    match e {
        image::ImageError::Limits(_) => PhotoProblem::TooDeep,
        // A JPEG, PNG or WebP using a feature the decoders lack (an arithmetic-coded JPEG, say).
        image::ImageError::Unsupported(u) => {
            PhotoProblem::Damaged(format!("it uses something the decoder cannot read ({u})"))
        }
        other => PhotoProblem::Damaged(other.to_string()),
    }
}

/// The largest 3:2 window of a `width`×`height` photo centred as near `focus` as the edges allow.
pub fn crop_window(width: u32, height: u32, focus: Focus) -> (f64, f64, f64, f64) {
    let (w, h) = (f64::from(width), f64::from(height));
    let aspect = f64::from(PICTURE_WIDTH) / f64::from(PICTURE_HEIGHT);
    let (cw, ch) = if w / h > aspect {
        (h * aspect, h)
    } else {
        (w, w / aspect)
    };
    let left = (f64::from(focus.x) * w - cw / 2.0).clamp(0.0, w - cw);
    let top = (f64::from(focus.y) * h - ch / 2.0).clamp(0.0, h - ch);
    (left, top, cw, ch)
}

/// The 3:2 window resized to the picture's size as opaque RGBA (a transparent PNG is laid on
/// white, as the website's cards are). An RGB photo (every JPEG) is resized as it was decoded,
/// without a copy.
fn resized(photo: &DynamicImage, focus: Focus) -> Vec<u8> {
    let converted;
    let (source, pixel_type) = match photo {
        DynamicImage::ImageRgb8(_) => (photo, PixelType::U8x3),
        DynamicImage::ImageRgba8(_) => (photo, PixelType::U8x4),
        other if other.color().has_alpha() => {
            converted = DynamicImage::ImageRgba8(other.to_rgba8());
            (&converted, PixelType::U8x4)
        }
        other => {
            converted = DynamicImage::ImageRgb8(other.to_rgb8());
            (&converted, PixelType::U8x3)
        }
    };
    let (left, top, cw, ch) = crop_window(photo.width(), photo.height(), focus);
    let mut picture = Image::new(PICTURE_WIDTH, PICTURE_HEIGHT, pixel_type);
    let options = ResizeOptions::new()
        .crop(left, top, cw, ch)
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(source, &mut picture, &options)
        .expect("the picture has the source's pixel type and the window lies inside");
    let pixels = picture.into_vec();
    if pixel_type == PixelType::U8x3 {
        return pixels
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
    }
    let mut rgba = pixels;
    for pixel in rgba.chunks_exact_mut(4) {
        let alpha = u16::from(pixel[3]);
        for channel in &mut pixel[..3] {
            *channel = ((u16::from(*channel) * alpha + 255 * (255 - alpha)) / 255) as u8;
        }
        pixel[3] = 255;
    }
    rgba
}

/// The picture of a product that has no photo yet: a plate on the café's warm paper colour, so
/// that no card shows a broken image. The same for every product; a few hundred bytes.
pub fn placeholder_picture() -> Vec<u8> {
    let (cx, cy) = (PICTURE_WIDTH as f32 / 2.0, PICTURE_HEIGHT as f32 / 2.0);
    let mut rgba = Vec::with_capacity((PICTURE_WIDTH * PICTURE_HEIGHT * 4) as usize);
    for y in 0..PICTURE_HEIGHT {
        for x in 0..PICTURE_WIDTH {
            let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
            let colour = match d {
                d if d < 62.0 => [251, 248, 243],
                d if d < 70.0 => [232, 224, 213],
                d if d < 86.0 => [251, 248, 243],
                d if d < 89.0 => [220, 210, 197],
                _ => [237, 230, 220],
            };
            rgba.extend(colour);
            rgba.push(255);
        }
    }
    palette_png(&rgba)
}

/// RGBA pixels of the picture's size (opaque) as an 8-bit palette PNG: 256 colours found by
/// k-means in Oklab from Wu's quantizer (`quantette`, no dithering: dithered pictures are larger),
/// then optimised by oxipng with every ancillary chunk stripped. Deterministic: the same photo
/// always makes the same picture.
fn palette_png(rgba: &[u8]) -> Vec<u8> {
    use quantette::deps::palette::Srgb;
    use quantette::{ImageRef, Pipeline, QuantizeMethod};
    let pixels: Vec<Srgb<u8>> = rgba
        .chunks_exact(4)
        .map(|p| Srgb::new(p[0], p[1], p[2]))
        .collect();
    let image = ImageRef::new(PICTURE_WIDTH, PICTURE_HEIGHT, pixels.as_slice())
        .expect("the pixels fill the picture exactly");
    let (palette, indices) = Pipeline::new()
        .palette_size(256u16.try_into().expect("256 colours is a palette size"))
        .ditherer(None)
        .quantize_method(QuantizeMethod::kmeans())
        .input_image(image)
        .output_srgb8_indexed_image()
        .into_parts();
    let mut encoded = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut encoded, PICTURE_WIDTH, PICTURE_HEIGHT);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(
            palette
                .iter()
                .flat_map(|c| [c.red, c.green, c.blue])
                .collect::<Vec<u8>>(),
        );
        let mut writer = encoder
            .write_header()
            .expect("writing to memory cannot fail");
        writer
            .write_image_data(&indices)
            .expect("the indices fill the picture exactly");
    }
    let mut options = oxipng::Options::from_preset(2);
    options.strip = oxipng::StripChunks::All;
    oxipng::optimize_from_memory(&encoded, &options).unwrap_or(encoded)
}

#[cfg(test)]
mod tests;
