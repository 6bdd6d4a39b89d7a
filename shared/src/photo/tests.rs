use super::*;
use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage};

/// A JPEG of `width`×`height`: the left half red, the right half blue.
fn two_colour_jpeg(width: u32, height: u32) -> Vec<u8> {
    let photo = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(&photo, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    jpeg
}

/// The JPEG with an EXIF block (APP1) right after its start: orientation `orientation`, and a
/// GPS latitude as a phone writes one.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    // TIFF, little-endian: IFD0 with Orientation (0x0112) and the GPS IFD pointer (0x8825); the
    // GPS IFD with GPSLatitudeRef (0x0001) "N".
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend([0x12, 0x01, 3, 0]);
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(orientation.to_le_bytes());
    tiff.extend([0, 0]);
    tiff.extend([0x25, 0x88, 4, 0]);
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(38u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend([0x01, 0x00, 2, 0]);
    tiff.extend(2u32.to_le_bytes());
    tiff.extend(*b"N\0\0\0");
    tiff.extend(0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// The chunk types of a PNG, in order.
fn chunk_types(png: &[u8]) -> Vec<String> {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let mut types = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        types.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
        at += 12 + length;
    }
    types
}

fn pixel(png: &[u8], x: u32, y: u32) -> [u8; 3] {
    let picture = image::load_from_memory(png).unwrap().to_rgb8();
    picture.get_pixel(x, y).0
}

fn is_red(p: [u8; 3]) -> bool {
    p[0] > 150 && p[2] < 100
}

fn is_blue(p: [u8; 3]) -> bool {
    p[2] > 150 && p[0] < 100
}

#[test]
fn a_photo_becomes_the_websites_picture_with_no_metadata() {
    let photo = with_exif(&two_colour_jpeg(800, 600), 1);
    let picture = website_picture(&photo, Focus::CENTRE).unwrap();
    let decoded = image::load_from_memory(&picture.png).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (PICTURE_WIDTH, PICTURE_HEIGHT)
    );
    // An 8-bit palette PNG, as the website's own pictures are, and only the critical chunks:
    // no eXIf, tEXt, iTXt (XMP) or zTXt.
    assert_eq!(picture.png[25], 3, "colour type 3: a palette");
    let types = chunk_types(&picture.png);
    assert!(
        types
            .iter()
            .all(|t| ["IHDR", "PLTE", "IDAT", "IEND"].contains(&t.as_str())),
        "{types:?}"
    );
    assert!(!picture.png.windows(4).any(|w| w == b"Exif"));
    assert!(is_red(pixel(&picture.png, 20, 120)) && is_blue(pixel(&picture.png, 340, 120)));
}

#[test]
fn a_phone_photo_is_turned_upright_by_its_exif_orientation() {
    // Stored 600×400 with "rotate 90° clockwise to view": upright it is 400×600, red on top.
    let photo = with_exif(&two_colour_jpeg(600, 400), 6);
    let picture = website_picture(&photo, Focus::CENTRE).unwrap();
    assert_eq!((picture.source_width, picture.source_height), (400, 600));
    assert!(is_red(pixel(&picture.png, 180, 10)), "top");
    assert!(is_blue(pixel(&picture.png, 180, 230)), "bottom");
}

#[test]
fn a_jpeg_with_a_video_after_its_image_is_whole_and_one_cut_short_is_not() {
    // A "motion photo": the JPEG's image, then an MP4 (whose bytes may hold anything).
    let mut motion = with_exif(&two_colour_jpeg(720, 480), 1);
    motion.extend(b"\0\0\0\x18ftypmp42\xFF\xD8\xFF\xDA\x00\x02 and more video");
    assert!(website_picture(&motion, Focus::CENTRE).is_ok());
    // Cut inside the scan: the thumbnail-like markers before it do not make it whole.
    let whole = with_exif(&two_colour_jpeg(720, 480), 1);
    assert!(matches!(
        website_picture(&whole[..whole.len() - 40], Focus::CENTRE),
        Err(PhotoProblem::Damaged(_))
    ));
}

#[test]
fn the_focus_point_chooses_the_window() {
    // 900×300 is wider than 3:2: the window is 450×300, slid along x towards the focus.
    assert_eq!(
        crop_window(900, 300, Focus::CENTRE),
        (225.0, 0.0, 450.0, 300.0)
    );
    assert_eq!(
        crop_window(900, 300, Focus::new(0.0, 0.5).unwrap()),
        (0.0, 0.0, 450.0, 300.0)
    );
    assert_eq!(
        crop_window(900, 300, Focus::new(1.0, 0.5).unwrap()),
        (450.0, 0.0, 450.0, 300.0)
    );
    // Taller than 3:2: the window is the full width, slid along y.
    assert_eq!(
        crop_window(600, 800, Focus::new(0.5, 0.1).unwrap()),
        (0.0, 0.0, 600.0, 400.0)
    );
    // Focused on the blue right-hand side of a wide photo: the picture is all blue.
    let picture =
        website_picture(&two_colour_jpeg(1200, 400), Focus::new(1.0, 0.5).unwrap()).unwrap();
    assert!(is_blue(pixel(&picture.png, 5, 120)));
}

/// A PNG chunk: length, type, data, CRC.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend(kind);
    chunk.extend(data);
    chunk.extend(crc.sum().to_be_bytes());
    chunk
}

/// A PNG whose header claims `width`×`height` RGBA, with a kilobyte of image data: what a
/// decompression bomb looks like from outside.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0xed, 0xc1, 0x01, 0x0d, 0, 0, 0, 0xc2],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header() {
    let bomb = png_claiming(60_000, 60_000);
    assert!(bomb.len() < 1100);
    assert_eq!(
        website_picture(&bomb, Focus::CENTRE).err(),
        Some(PhotoProblem::TooManyPixels {
            width: 60_000,
            height: 60_000,
            megapixels: 3600,
            limit: 25
        })
    );
}

#[test]
fn bad_files_are_refused_saying_what_is_wrong() {
    let refused = |bytes: &[u8]| website_picture(bytes, Focus::CENTRE).err().unwrap();
    assert_eq!(refused(b""), PhotoProblem::Empty);
    assert_eq!(
        refused(b"product_name,price\nmuffin,4.50\n"),
        PhotoProblem::NotAPhoto
    );
    assert_eq!(
        refused(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        PhotoProblem::Unsupported("GIF".to_owned())
    );
    assert_eq!(
        refused(&two_colour_jpeg(300, 200)),
        PhotoProblem::TooSmall {
            width: 300,
            height: 200
        }
    );
    let whole = two_colour_jpeg(800, 600);
    assert!(matches!(
        refused(&whole[..whole.len() / 3]),
        PhotoProblem::Damaged(_)
    ));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(RgbImage::new(400, 300))
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .unwrap();
    assert!(matches!(
        refused(&png[..png.len() - 20]),
        PhotoProblem::Damaged(_)
    ));
    let message = refused(&png_claiming(800, 600)).to_string();
    assert!(
        message.starts_with("the photo could not be read"),
        "{message}"
    );
}

#[test]
fn the_placeholder_is_a_small_picture_of_the_websites_size() {
    let png = placeholder_picture();
    let decoded = image::load_from_memory(&png).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (PICTURE_WIDTH, PICTURE_HEIGHT)
    );
    assert!(png.len() < 4096, "{} bytes", png.len());
    assert_eq!(png[25], 3, "a palette PNG");
}
