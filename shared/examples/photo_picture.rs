//! Turns one photo into the website's picture exactly as the photo function does, writes the
//! picture to OUT and prints one JSON line: milliseconds, bytes in and out. `make bench` runs it
//! under GNU time (peak RSS) on a full core and at the CPU share of the function's memory size.
//!
//!   cargo run --release -p cafe-menu --example photo_picture -- PHOTO OUT.png

use std::process::ExitCode;
use std::time::Instant;

use cafe_menu::photo::{website_picture, Focus};
use serde_json::json;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [photo, out] = &args[..] else {
        eprintln!("usage: photo_picture PHOTO OUT.png");
        return ExitCode::from(64);
    };
    let bytes = match std::fs::read(photo) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {photo}: {e}");
            return ExitCode::from(66);
        }
    };
    let started = Instant::now();
    let picture = match website_picture(&bytes, Focus::CENTRE) {
        Ok(picture) => picture,
        Err(problem) => {
            eprintln!("{photo}: {problem}");
            return ExitCode::from(65);
        }
    };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Err(e) = std::fs::write(out, &picture.png) {
        eprintln!("cannot write {out}: {e}");
        return ExitCode::from(73);
    }
    println!(
        "{}",
        json!({"ms": ms, "photo_bytes": bytes.len(), "picture_bytes": picture.png.len(),
               "width": picture.source_width, "height": picture.source_height})
    );
    ExitCode::SUCCESS
}
