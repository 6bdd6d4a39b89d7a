//! A product's picture on the café's website: where the website looks for it, its size, and the
//! limits on the photo staff give for it. The pipeline that makes one is `crate::photo`.

/// The website's picture size: the café's own 26 pictures are all 360×240.
pub const PICTURE_WIDTH: u32 = 360;
pub const PICTURE_HEIGHT: u32 = 240;
/// The largest photo file accepted: a 12 MP phone JPEG is 2–6 MB, a 4 MP PNG up to ~12 MB.
pub const MAX_PHOTO_BYTES: u64 = 15 * 1024 * 1024;
/// The most pixels a photo may have: a 24 MP camera's 6,000×4,000 and a little more. A file that
/// claims more is refused from its header, before any pixel is allocated.
pub const MAX_PHOTO_PIXELS: u64 = 25_000_000;
/// The types a photo may be uploaded as (signed into its upload); what it really is, is judged
/// from its bytes.
pub const PHOTO_CONTENT_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// The picture's key on the website: `images/items/` and the product's name with each space a
/// `_` (case and every other character kept), as the website's page builds its `<img src>`.
pub fn picture_key(product_name: &str) -> String {
    format!("images/items/{}.png", product_name.replace(' ', "_"))
}

/// Where in the photo the person wants the picture centred, as fractions of its width and height
/// (after the photo is turned upright): the page lets them pick it; the centre by default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Focus {
    pub x: f32,
    pub y: f32,
}

impl Focus {
    pub const CENTRE: Focus = Focus { x: 0.5, y: 0.5 };

    /// A focus from fractions in 0..=1; anything else is `None`.
    pub fn new(x: f32, y: f32) -> Option<Focus> {
        let fraction = |v: f32| (0.0..=1.0).contains(&v);
        (fraction(x) && fraction(y)).then_some(Focus { x, y })
    }

    /// As it travels with the upload (`x-amz-meta-focus`): `0.500,0.300`.
    pub fn to_header(self) -> String {
        format!("{:.3},{:.3}", self.x, self.y)
    }

    /// From the upload's header; `None` for anything [`Focus::to_header`] would not write.
    pub fn from_header(value: &str) -> Option<Focus> {
        let (x, y) = value.split_once(',')?;
        Focus::new(x.trim().parse().ok()?, y.trim().parse().ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_one_the_website_asks_for() {
        assert_eq!(
            picture_key("apple pie slice"),
            "images/items/apple_pie_slice.png"
        );
        assert_eq!(picture_key("Crème brûlée"), "images/items/Crème_brûlée.png");
    }

    #[test]
    fn a_focus_travels_as_a_header() {
        let focus = Focus::new(0.25, 1.0).unwrap();
        assert_eq!(focus.to_header(), "0.250,1.000");
        assert_eq!(Focus::from_header("0.250,1.000"), Some(focus));
        for bad in ["", "0.5", "a,b", "1.5,0.5", "NaN,0.5", "0.5,-0.1"] {
            assert_eq!(Focus::from_header(bad), None, "{bad}");
        }
        assert_eq!(Focus::new(0.5, f32::NAN), None);
    }
}
