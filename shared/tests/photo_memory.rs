//! The photo pipeline's memory, measured by the allocator itself (this test binary's global
//! allocator counts every byte held): the largest photo accepted stays under
//! `PHOTO_MEMORY_BOUND`, and a decompression bomb is refused holding next to nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use cafe_menu::photo::{website_picture, Focus, PhotoProblem};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ImageBuffer, ImageEncoder, Rgb, Rgba};

/// The bound stated in `shared/src/photo` and docs/design.md: what one conversion may hold, the
/// photo's own bytes included. The photo function has 1,024 MB.
const PHOTO_MEMORY_BOUND: usize = 256 * 1024 * 1024;

struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// One test at a time, whole: the counters are the process's, and another test's allocations
/// would count in this one's peak.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(held, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let held = HELD.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(held, Ordering::Relaxed);
        } else {
            HELD.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most held at once while `f` ran, above what was held before it, the photo included.
fn peak_of<T>(photo: Vec<u8>, f: impl FnOnce(&[u8]) -> T) -> (usize, T) {
    let before = HELD.load(Ordering::Relaxed) - photo.len();
    PEAK.store(HELD.load(Ordering::Relaxed), Ordering::Relaxed);
    let out = f(&photo);
    drop(photo);
    let peak = PEAK.load(Ordering::Relaxed) - before;
    eprintln!("peak: {:.1} MB", peak as f64 / 1048576.0);
    (peak, out)
}

#[test]
fn the_largest_photo_accepted_stays_under_the_bound() {
    let _alone = alone();
    // 25 MP, the most accepted, as a JPEG (what phones and cameras give).
    let (width, height) = (6000, 4166);
    let photo = ImageBuffer::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 80)
        .write_image(&photo, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    drop(photo);
    let (peak, made) = peak_of(jpeg, |bytes| website_picture(bytes, Focus::CENTRE));
    assert!(made.is_ok(), "{:?}", made.err());
    assert!(
        peak < PHOTO_MEMORY_BOUND,
        "a 25 MP JPEG held {} MB",
        peak >> 20
    );
}

#[test]
fn a_sixteen_bit_png_with_alpha_stays_under_the_bound() {
    let _alone = alone();
    // 8 bytes a pixel decoded, then made 8-bit RGBA: the most a conversion copies.
    let (width, height) = (3600, 3600);
    let photo: ImageBuffer<Rgba<u16>, Vec<u16>> = ImageBuffer::from_fn(width, height, |x, y| {
        Rgba([(x * 16) as u16, (y * 16) as u16, 0, 65535])
    });
    let raw: Vec<u8> = photo
        .as_raw()
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    drop(photo);
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, CompressionType::Best, FilterType::Sub)
        .write_image(&raw, width, height, image::ExtendedColorType::Rgba16)
        .unwrap();
    drop(raw);
    let (peak, made) = peak_of(png, |bytes| website_picture(bytes, Focus::CENTRE));
    assert!(made.is_ok(), "{:?}", made.err());
    assert!(
        peak < PHOTO_MEMORY_BOUND,
        "a 13 MP 16-bit PNG held {} MB",
        peak >> 20
    );
}

#[test]
fn a_decompression_bomb_is_refused_holding_next_to_nothing() {
    let _alone = alone();
    // A PNG whose header claims 60,000×60,000 RGBA (14.4 GB decoded), with a kilobyte of data.
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend(kind);
        out.extend(data);
        out.extend(crc.sum().to_be_bytes());
        out
    };
    let mut ihdr = 60_000u32.to_be_bytes().to_vec();
    ihdr.extend(60_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    bomb.extend(chunk(b"IHDR", &ihdr));
    bomb.extend(chunk(b"IDAT", &[0; 1024]));
    bomb.extend(chunk(b"IEND", &[]));
    let (peak, made) = peak_of(bomb, |bytes| website_picture(bytes, Focus::CENTRE));
    assert!(matches!(made, Err(PhotoProblem::TooManyPixels { .. })));
    assert!(peak < 1024 * 1024, "held {peak} bytes");
}
