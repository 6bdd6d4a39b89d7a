//! Reading a menu file as a stream of records, and each record only as far as its checks need:
//! whatever a file holds, what is in memory at once is the file, one record's values that can be
//! right, and a bounded sample of the rest.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

use super::{
    shortened, ITEMS_FIELD, MAX_LISTED_PROBLEMS, QUOTED_VALUES, SHOWN_FIELD_CHARS,
    SHOWN_TOP_LEVEL_FIELDS,
};
use crate::contract::field::{ALL as KNOWN_FIELDS, TAGS};
use crate::store::MAX_ITEM_BYTES;

/// A menu file's top level, as found while its records were read.
pub(super) enum Shape {
    /// A bare array of records.
    Records,
    /// The website's wrapper object.
    Wrapper {
        unexpected: Vec<String>,
        unexpected_count: usize,
        items: Option<Items>,
    },
    /// Anything else: what it is, in words.
    Other(&'static str),
}

/// What `product_item_arr` holds.
pub(super) enum Items {
    Records,
    Repeated,
    Other(&'static str),
}

/// Reads a whole menu file (its top level, and nothing past it), handing each record to
/// `each_record` as its JSON text (a slice of the file, its shape checked, nothing decoded).
pub(super) fn menu_file(
    text: &str,
    mut each_record: impl FnMut(&str),
) -> Result<Shape, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let shape = MenuFileSeed {
        each_record: &mut each_record,
    }
    .deserialize(&mut reader)?;
    reader.end()?;
    Ok(shape)
}

struct MenuFileSeed<'a, F> {
    each_record: &'a mut F,
}

impl<'de, F: FnMut(&str)> DeserializeSeed<'de> for MenuFileSeed<'_, F> {
    type Value = Shape;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Shape, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(&str)> Visitor<'de> for MenuFileSeed<'_, F> {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a menu file")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, records: A) -> Result<Shape, A::Error> {
        read_each(self.each_record, records)?;
        Ok(Shape::Records)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<Shape, A::Error> {
        let (mut unexpected, mut unexpected_count, mut items) = (Vec::new(), 0, None);
        while let Some(field) = fields.next_key::<String>()? {
            if field != ITEMS_FIELD {
                fields.next_value::<IgnoredAny>()?;
                unexpected_count += 1;
                if unexpected.len() < SHOWN_TOP_LEVEL_FIELDS {
                    unexpected.push(shortened(&field, SHOWN_FIELD_CHARS));
                }
            } else if items.is_some() {
                fields.next_value::<IgnoredAny>()?;
                items = Some(Items::Repeated);
            } else {
                items = Some(fields.next_value_seed(ItemsSeed {
                    each_record: &mut *self.each_record,
                })?);
            }
        }
        Ok(Shape::Wrapper {
            unexpected,
            unexpected_count,
            items,
        })
    }

    fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
        Ok(Shape::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::Other("null"))
    }
}

/// Reads `product_item_arr`, handing each record on as it is read.
struct ItemsSeed<'a, F> {
    each_record: &'a mut F,
}

impl<'de, F: FnMut(&str)> DeserializeSeed<'de> for ItemsSeed<'_, F> {
    type Value = Items;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Items, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(&str)> Visitor<'de> for ItemsSeed<'_, F> {
    type Value = Items;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of products")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, records: A) -> Result<Items, A::Error> {
        read_each(self.each_record, records)?;
        Ok(Items::Records)
    }

    fn visit_map<A: MapAccess<'de>>(self, fields: A) -> Result<Items, A::Error> {
        IgnoredAny.visit_map(fields)?;
        Ok(Items::Other("an object"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Items, E> {
        Ok(Items::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Items, E> {
        Ok(Items::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Items, E> {
        Ok(Items::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Items, E> {
        Ok(Items::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Items, E> {
        Ok(Items::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Items, E> {
        Ok(Items::Other("null"))
    }
}

/// Hands on each record of an array as it is read: a slice of the file, never a copy, and never
/// more than one at a time.
fn read_each<'de, A: SeqAccess<'de>>(
    each_record: &mut impl FnMut(&str),
    mut records: A,
) -> Result<(), A::Error> {
    while let Some(record) = records.next_element::<&'de RawValue>()? {
        each_record(record.get());
    }
    Ok(())
}

/// A record as far as its checks need it.
pub(super) struct Record {
    /// The record for [`validate`]: product fields as they are (a wrongly typed one cut to what a
    /// message quotes), the first [`MAX_LISTED_PROBLEMS`] unknown fields (as null: only their
    /// names matter), the first [`MAX_LISTED_PROBLEMS`] tags that are not strings (as their kind).
    pub value: Value,
    /// Problems left out of `value`: unknown fields and tags that are not strings past the first
    /// ones, each of a kind `value` still shows.
    pub unread_problems: usize,
    /// Its tags alone are more than a product can hold: they are not kept.
    pub tags_too_large: bool,
}

/// Reads one record (its JSON text) for its checks. String escapes are decoded here: an error is
/// this record's, counted from its start.
pub(super) fn record(text: &str) -> Result<Record, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let record = if text.trim_start().starts_with('{') {
        RecordSeed.deserialize(&mut reader)?
    } else {
        // Not an object: only its kind is ever told.
        let mut values = 1;
        let value = Quote {
            values_left: &mut values,
        }
        .deserialize(&mut reader)?;
        Record {
            value: value.unwrap_or(Value::Null),
            unread_problems: 0,
            tags_too_large: false,
        }
    };
    reader.end()?;
    Ok(record)
}

struct RecordSeed;

impl<'de> DeserializeSeed<'de> for RecordSeed {
    type Value = Record;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Record, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed {
    type Value = Record;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a product")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut fields = Map::new();
        let (mut unknown, mut unread_problems, mut tags_too_large) = (0, 0, false);
        while let Some(field) = map.next_key::<String>()? {
            if field == TAGS {
                let tags = map.next_value_seed(TagsSeed)?;
                unread_problems += tags.unread_problems;
                tags_too_large |= tags.too_large;
                fields.insert(field, tags.value);
            } else if KNOWN_FIELDS.contains(&field.as_str()) {
                let mut values = QUOTED_VALUES;
                let value = map.next_value_seed(Quote {
                    values_left: &mut values,
                })?;
                fields.insert(field, value.unwrap_or(Value::Null));
            } else {
                map.next_value::<IgnoredAny>()?;
                if unknown < MAX_LISTED_PROBLEMS {
                    unknown += usize::from(fields.insert(field, Value::Null).is_none());
                } else if !fields.contains_key(&field) {
                    unread_problems += 1;
                }
            }
        }
        Ok(Record {
            value: Value::Object(fields),
            unread_problems,
            tags_too_large,
        })
    }
}

/// A JSON value kept up to a number of values (itself and everything in it, in file order): the
/// rest is read past. `None` when none were left for it.
struct Quote<'a> {
    values_left: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for Quote<'_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Value>, D::Error> {
        if *self.values_left == 0 {
            deserializer.deserialize_ignored_any(IgnoredAny)?;
            return Ok(None);
        }
        *self.values_left -= 1;
        deserializer.deserialize_any(self).map(Some)
    }
}

impl<'de> Visitor<'de> for Quote<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Quote {
            values_left: &mut *self.values_left,
        })? {
            items.extend(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut fields = Map::new();
        while let Some(field) = map.next_key::<String>()? {
            if let Some(value) = map.next_value_seed(Quote {
                values_left: &mut *self.values_left,
            })? {
                fields.insert(field, value);
            }
        }
        Ok(Value::Object(fields))
    }
}

/// `tag_str_arr` as far as its checks need: its strings while they fit a product, the first
/// [`MAX_LISTED_PROBLEMS`] other values as their kind.
struct Tags {
    value: Value,
    unread_problems: usize,
    too_large: bool,
}

struct TagsSeed;

impl<'de> DeserializeSeed<'de> for TagsSeed {
    type Value = Tags;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tags, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl TagsSeed {
    /// Not an array: only its kind is ever told.
    fn not_an_array(value: Value) -> Tags {
        Tags {
            value,
            unread_problems: 0,
            too_large: false,
        }
    }
}

impl<'de> Visitor<'de> for TagsSeed {
    type Value = Tags;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tags, A::Error> {
        let (mut tags, mut others, mut unread_problems) = (Vec::new(), 0, 0);
        let (mut item_bytes, mut too_large) = (0, false);
        loop {
            let mut values = 1;
            let Some(tag) = seq.next_element_seed(Quote {
                values_left: &mut values,
            })?
            else {
                break;
            };
            match tag.unwrap_or(Value::Null) {
                // Each tag takes its length and one byte more in the item (`store::item_bytes`
                // counts the rest): past the item's limit, the record cannot be stored at all.
                Value::String(tag) => {
                    item_bytes += tag.len() + 1;
                    if item_bytes > MAX_ITEM_BYTES {
                        too_large = true;
                        tags = Vec::new();
                    } else if !too_large {
                        tags.push(Value::String(tag));
                    }
                }
                _ if too_large => {}
                other if others < MAX_LISTED_PROBLEMS => {
                    others += 1;
                    tags.push(other);
                }
                _ => unread_problems += 1,
            }
        }
        Ok(Tags {
            value: Value::Array(tags),
            unread_problems,
            too_large,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Tags, A::Error> {
        IgnoredAny.visit_map(map)?;
        Ok(Self::not_an_array(Value::Object(Map::new())))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Tags, E> {
        Ok(Self::not_an_array(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Tags, E> {
        Ok(Self::not_an_array(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Tags, E> {
        Ok(Self::not_an_array(Value::from(v)))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Tags, E> {
        Ok(Self::not_an_array(Value::from(0.5)))
    }

    fn visit_str<E>(self, _: &str) -> Result<Tags, E> {
        Ok(Self::not_an_array(Value::String(String::new())))
    }

    fn visit_unit<E>(self) -> Result<Tags, E> {
        Ok(Self::not_an_array(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record's unknown fields are kept (as nulls) up to the number a report lists; the rest
    /// are only counted, so that a record of thousands of fields is held in bounded memory.
    #[test]
    fn a_records_unknown_fields_are_kept_up_to_the_listed_number_then_counted() {
        for (unknown, kept) in [
            (MAX_LISTED_PROBLEMS, MAX_LISTED_PROBLEMS),
            (1000, MAX_LISTED_PROBLEMS),
        ] {
            let fields: Vec<String> = (0..unknown).map(|i| format!(r#""u{i}": [1, 2]"#)).collect();
            let text = format!(r#"{{"product_name_str": "p", {}}}"#, fields.join(", "));
            let read = record(&text).unwrap();
            let object = read.value.as_object().unwrap();
            assert_eq!(object.len(), 1 + kept, "{unknown} unknown fields");
            assert_eq!(read.unread_problems, unknown - kept);
            // A repeated unknown field is one field.
            let again = r#"{"u0": 1, "u0": 2, "product_name_str": "p"}"#;
            assert_eq!(record(again).unwrap().value.as_object().unwrap().len(), 2);
        }
    }

    /// A known field's value is kept as it is, whatever its type, up to `QUOTED_VALUES` values:
    /// what a message needs to quote it, never a whole large value.
    #[test]
    fn a_known_fields_value_is_kept_as_it_is_up_to_the_quoted_values() {
        let text = r#"{"product_name_str": true, "product_id_str": 1.5, "description_str": "caf\u00e9",
            "special_int": {"a": [null, -3, 18446744073709551615]}, "version_int": null}"#;
        assert_eq!(
            record(text).unwrap().value,
            serde_json::json!({"product_name_str": true, "product_id_str": 1.5,
                "description_str": "café", "special_int": {"a": [null, -3, 18446744073709551615u64]},
                "version_int": null})
        );
        let many: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        let text = format!(r#"{{"price_in_cents_int": [{}]}}"#, many.join(","));
        let read = record(&text).unwrap();
        let kept = read.value["price_in_cents_int"].as_array().unwrap().len();
        // The array itself is one value; its first elements take the rest.
        assert_eq!(kept, QUOTED_VALUES - 1);
    }

    /// Tags past what a product can hold are not kept, nor is anything after them: the record is
    /// too large, and that is all its report says of its tags.
    #[test]
    fn tags_past_a_products_size_are_dropped_with_everything_after_them() {
        let big = "t".repeat(MAX_ITEM_BYTES / 2);
        let text = format!(r#"{{"tag_str_arr": ["{big}", 1, "{big}", 2, "x", true]}}"#);
        let read = record(&text).unwrap();
        assert!(read.tags_too_large);
        assert_eq!(read.value["tag_str_arr"], serde_json::json!([]));
        assert_eq!(read.unread_problems, 0);
        // Below the limit, the strings and the first other values are kept.
        let read = record(r#"{"tag_str_arr": ["a", 1, "b"]}"#).unwrap();
        assert!(!read.tags_too_large);
        assert_eq!(read.value["tag_str_arr"], serde_json::json!(["a", 1, "b"]));
        // Past the listed number of other values, they are only counted.
        let numbers: Vec<String> = (0..150).map(|i| i.to_string()).collect();
        let read = record(&format!(
            r#"{{"tag_str_arr": ["a", {}]}}"#,
            numbers.join(",")
        ))
        .unwrap();
        let kept = read.value["tag_str_arr"].as_array().unwrap().len();
        assert_eq!((kept, read.unread_problems), (1 + MAX_LISTED_PROBLEMS, 50));
    }

    /// Each tag takes its length and one byte more, as `Product::size_bytes` counts it: tags of
    /// exactly a product's size are kept, one byte more is too large.
    #[test]
    fn tags_of_exactly_a_products_size_are_kept() {
        let tags = |a: usize, b: usize| {
            let text = format!(
                r#"{{"tag_str_arr": ["{}", "{}"]}}"#,
                "a".repeat(a),
                "b".repeat(b)
            );
            record(&text).unwrap().tags_too_large
        };
        let half = MAX_ITEM_BYTES / 2;
        assert!(!tags(half - 1, half - 1));
        assert!(tags(half - 1, half));
    }
}
