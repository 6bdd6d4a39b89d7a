//! The photo function driven with the `events/product-photo` payload, against a real
//! S3-compatible server on loopback: the upload bucket and the website's.

use super::{handle, Photos};
use aws_lambda_events::event::s3::S3Event;
use aws_sdk_s3::primitives::ByteStream;
use cafe_menu::bucket::ProductPhotos;
use cafe_menu_testing::{event_json, json_of, s3, s3_object, versioned_bucket};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};

/// A JPEG of `width`×`height` in one colour.
fn jpeg(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let photo = RgbImage::from_pixel(width, height, Rgb(colour));
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 85)
        .write_image(&photo, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    bytes
}

struct Buckets {
    uploads: String,
    website: String,
}

async fn buckets(hint: &str) -> Buckets {
    Buckets {
        uploads: versioned_bucket(&format!("{hint}-up")).await,
        website: versioned_bucket(&format!("{hint}-web")).await,
    }
}

fn photos(buckets: &Buckets) -> Photos {
    Photos {
        photos: ProductPhotos::new(s3(), buckets.uploads.clone()),
        website_bucket: buckets.website.clone(),
    }
}

/// Uploads a photo as the presigned PUT does (with its focus) and returns the event S3 sends.
async fn upload(buckets: &Buckets, upload: &str, name: &str, body: &[u8]) -> S3Event {
    let key = ProductPhotos::photo_key(upload, name);
    let put = s3()
        .put_object()
        .bucket(&buckets.uploads)
        .key(&key)
        .content_type("image/jpeg")
        .metadata("focus", "0.500,0.500")
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await
        .unwrap();
    let mut event = event_json("product-photo/photo-uploaded");
    let object = &mut event["Records"][0]["s3"];
    object["bucket"]["name"] = json!(buckets.uploads);
    object["object"]["key"] = json!(key.replace(' ', "+"));
    object["object"]["size"] = json!(body.len());
    object["object"]["versionId"] = json!(put.version_id());
    serde_json::from_value(event).unwrap()
}

async fn invoke(photos: &Photos, event: S3Event) -> Value {
    let event = serde_json::to_value(event).unwrap();
    handle(photos, LambdaEvent::new(event, Context::default()))
        .await
        .unwrap()
}

async fn report(buckets: &Buckets, upload: &str) -> Value {
    json_of(&s3_object(&buckets.uploads, &format!("photo-reports/{upload}.json")).await)
}

const FIRST: &str = "2026-12-03T14-15-00Z-1a2b3c4d";
const LATER: &str = "2026-12-03T14-20-00Z-5e6f7a8b";

#[tokio::test]
async fn a_photo_becomes_the_websites_picture_and_a_report_says_so() {
    let buckets = buckets("photo-done").await;
    let photos = photos(&buckets);
    let event = upload(
        &buckets,
        FIRST,
        "apple pie",
        &jpeg(1200, 900, [200, 40, 40]),
    )
    .await;
    let answer = invoke(&photos, event.clone()).await;
    assert_eq!(answer["reports"][0]["outcome"], "done", "{answer}");
    let picture = s3_object(&buckets.website, "images/items/apple_pie.png").await;
    let decoded = image::load_from_memory(&picture).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (360, 240));
    let written = report(&buckets, FIRST).await;
    assert_eq!(written["outcome_str"], "done");
    assert_eq!(written["picture_path_str"], "images/items/apple_pie.png");
    assert_eq!(written["picture_bytes_int"], picture.len());
    assert_eq!(
        (&written["photo_width_int"], &written["photo_height_int"]),
        (&json!(1200), &json!(900))
    );
    let head = s3()
        .head_object()
        .bucket(&buckets.website)
        .key("images/items/apple_pie.png")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type(), Some("image/png"));
    assert_eq!(head.cache_control(), Some("no-cache"));
    // S3 delivers at least once: the same event again makes the same picture.
    let again = invoke(&photos, event).await;
    assert_eq!(again["reports"][0]["outcome"], "done");
    assert_eq!(
        s3_object(&buckets.website, "images/items/apple_pie.png").await,
        picture
    );
}

#[tokio::test]
async fn a_bad_photo_is_reported_and_the_picture_stays() {
    let buckets = buckets("photo-refused").await;
    let photos = photos(&buckets);
    let good = upload(&buckets, FIRST, "apple pie", &jpeg(720, 480, [40, 40, 200])).await;
    invoke(&photos, good).await;
    let before = s3_object(&buckets.website, "images/items/apple_pie.png").await;
    let bad = upload(&buckets, LATER, "apple pie", b"product_name,price\n").await;
    let answer = invoke(&photos, bad).await;
    assert_eq!(answer["reports"][0]["outcome"], "refused", "{answer}");
    let written = report(&buckets, LATER).await;
    assert_eq!(
        written["problem_str"],
        "the file is not a photo (JPEG, PNG or WebP), whatever its name says"
    );
    assert_eq!(
        s3_object(&buckets.website, "images/items/apple_pie.png").await,
        before
    );
}

#[tokio::test]
async fn an_older_photo_delivered_late_never_replaces_a_newer_one() {
    let buckets = buckets("photo-order").await;
    let photos = photos(&buckets);
    let older = upload(&buckets, FIRST, "apple pie", &jpeg(720, 480, [200, 40, 40])).await;
    let newer = upload(&buckets, LATER, "apple pie", &jpeg(720, 480, [40, 200, 40])).await;
    invoke(&photos, newer).await;
    let placed = s3_object(&buckets.website, "images/items/apple_pie.png").await;
    let answer = invoke(&photos, older).await;
    assert_eq!(answer["reports"][0]["outcome"], "refused");
    let problem = report(&buckets, FIRST).await["problem_str"].clone();
    assert!(
        problem.as_str().unwrap().contains(LATER),
        "names the newer upload: {problem}"
    );
    assert_eq!(
        s3_object(&buckets.website, "images/items/apple_pie.png").await,
        placed
    );
}

#[tokio::test]
async fn keys_that_are_not_photos_are_skipped() {
    let buckets = buckets("photo-skip").await;
    let photos = photos(&buckets);
    let mut event = serde_json::to_value(upload(&buckets, FIRST, "apple pie", b"x").await).unwrap();
    for key in [
        "photos/not-an-upload-id/apple+pie",
        "photos/2026-12-03T14-15-00Z-1a2b3c4d/",
    ] {
        event["Records"][0]["s3"]["object"]["key"] = json!(key);
        let answer = invoke(&photos, serde_json::from_value(event.clone()).unwrap()).await;
        assert_eq!(answer["reports"], json!([]), "{key}");
    }
}

/// The table's stream as Lambda hands it over: one record per (event name, product name).
async fn changes(photos: &Photos, changes: &[(&str, &str)]) -> Value {
    let mut event = event_json("product-photo/product-added");
    let sample = event["Records"][0].clone();
    event["Records"] = changes
        .iter()
        .enumerate()
        .map(|(i, (kind, name))| {
            let mut record = sample.clone();
            record["eventName"] = json!(kind);
            record["dynamodb"]["Keys"]["product_name"]["S"] = json!(name);
            record["dynamodb"]["SequenceNumber"] = json!(format!("{}", 100 + i));
            record
        })
        .collect();
    handle(photos, LambdaEvent::new(event, Context::default()))
        .await
        .unwrap()
}

async fn picture(buckets: &Buckets, name: &str) -> Option<Vec<u8>> {
    let key = cafe_menu::product::picture::picture_key(name);
    let got = s3()
        .get_object()
        .bucket(&buckets.website)
        .key(key)
        .send()
        .await;
    match got {
        Ok(object) => Some(object.body.collect().await.unwrap().to_vec()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_product_added_gets_the_placeholder_and_loses_it_when_removed() {
    let buckets = buckets("photo-keep").await;
    let photos = photos(&buckets);
    let answer = changes(&photos, &[("INSERT", "cheese scone")]).await;
    assert_eq!(answer, json!({"batchItemFailures": []}));
    let placed = picture(&buckets, "cheese scone")
        .await
        .expect("a placeholder");
    assert_eq!(placed, cafe_menu::photo::placeholder_picture());
    // A photo replaces the placeholder.
    let event = upload(
        &buckets,
        FIRST,
        "cheese scone",
        &jpeg(720, 480, [200, 40, 40]),
    )
    .await;
    assert_eq!(
        invoke(&photos, event).await["reports"][0]["outcome"],
        "done"
    );
    assert_ne!(picture(&buckets, "cheese scone").await.unwrap(), placed);
    // Removed: the picture we placed goes.
    changes(
        &photos,
        &[("MODIFY", "cheese scone"), ("REMOVE", "cheese scone")],
    )
    .await;
    assert_eq!(picture(&buckets, "cheese scone").await, None);
}

#[tokio::test]
async fn the_websites_own_pictures_are_never_overwritten_or_removed() {
    let buckets = buckets("photo-own").await;
    let photos = photos(&buckets);
    let own = b"the website's own picture of apple pie".to_vec();
    s3().put_object()
        .bucket(&buckets.website)
        .key("images/items/apple_pie.png")
        .body(ByteStream::from(own.clone()))
        .send()
        .await
        .unwrap();
    changes(&photos, &[("INSERT", "apple pie")]).await;
    assert_eq!(picture(&buckets, "apple pie").await, Some(own.clone()));
    changes(&photos, &[("REMOVE", "apple pie")]).await;
    assert_eq!(picture(&buckets, "apple pie").await, Some(own));
}

#[tokio::test]
async fn a_failing_record_is_reported_for_lambda_to_retry_from() {
    let buckets = buckets("photo-fail").await;
    let mut photos = photos(&buckets);
    photos.website_bucket = "no-such-bucket-for-pictures".to_owned();
    let answer = changes(
        &photos,
        &[("INSERT", "cheese scone"), ("INSERT", "oat bar")],
    )
    .await;
    assert_eq!(
        answer,
        json!({"batchItemFailures": [{"itemIdentifier": "100"}]})
    );
}

#[tokio::test]
async fn a_product_whose_name_gives_the_same_picture_takes_only_its_own_when_removed() {
    let buckets = buckets("photo-same-key").await;
    let photos = photos(&buckets);
    // "apple pie" has a photo; "apple_pie" (the same picture file on the website) is added and
    // removed: the photo of "apple pie" stays.
    let event = upload(&buckets, FIRST, "apple pie", &jpeg(720, 480, [200, 40, 40])).await;
    assert_eq!(
        invoke(&photos, event).await["reports"][0]["outcome"],
        "done"
    );
    let photo = picture(&buckets, "apple pie").await.unwrap();
    changes(&photos, &[("INSERT", "apple_pie"), ("REMOVE", "apple_pie")]).await;
    assert_eq!(picture(&buckets, "apple pie").await, Some(photo));
    changes(&photos, &[("REMOVE", "apple pie")]).await;
    assert_eq!(picture(&buckets, "apple pie").await, None);
}
