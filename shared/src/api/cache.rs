//! The lists' answers kept in the warm execution environment: within the freshness bound, a
//! whole-list read, a revalidation (304) or a HEAD costs no table read. Bounded in age (half the
//! freshness bound, so that CDN and browsers may keep an answer for the other half) and in
//! memory (one answer per list; an answer larger than [`MAX_CACHED_BYTES`] is not kept). Pages
//! (`?limit=`) are not cached. Every change reaches the readers through the bound, whoever made
//! it (the API, a load, another tool): no reader learns of a write any other way.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::answer::{body_tag, gzip_bytes};
use crate::store::List;

/// The largest answer kept: the 5,000-product menu is ~1.2 MB; two lists of this size stay well
/// inside the readers' 128 MB.
pub const MAX_CACHED_BYTES: usize = 8 * 1024 * 1024;

/// Where the time comes from: the system clock, or a test's.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// A whole list as answered: the JSON body, its validator, its gzip form (made on first use), and
/// when the table was read.
pub(crate) struct ListAnswer {
    pub body: String,
    pub identity_tag: String,
    gzip: OnceLock<Vec<u8>>,
    pub read_at: Instant,
    pub items: usize,
}

impl ListAnswer {
    pub(crate) fn new(body: String, read_at: Instant, items: usize) -> Self {
        Self {
            identity_tag: body_tag(&body),
            body,
            gzip: OnceLock::new(),
            read_at,
            items,
        }
    }

    /// The body gzip-compressed, compressed once per answer.
    pub(crate) fn gzip(&self) -> &[u8] {
        self.gzip.get_or_init(|| gzip_bytes(self.body.as_bytes()))
    }
}

/// One per function instance, built at its start with the freshness bound. A clone is a handle
/// on the same answers.
#[derive(Clone)]
pub struct ListCache {
    keep_for: Duration,
    clock: Clock,
    answers: Arc<Mutex<HashMap<List, Arc<ListAnswer>>>>,
}

impl ListCache {
    /// Answers kept for half of `freshness`: the other half is what CDN and browsers may add.
    pub fn new(freshness: Duration) -> Self {
        Self::with_clock(freshness, Arc::new(Instant::now))
    }

    /// A cache that keeps nothing: every read reads the table.
    pub fn disabled() -> Self {
        Self::new(Duration::ZERO)
    }

    pub fn with_clock(freshness: Duration, clock: Clock) -> Self {
        Self {
            keep_for: freshness / 2,
            clock,
            answers: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub(crate) fn now(&self) -> Instant {
        (self.clock)()
    }

    /// The answer for `list`, if one was read less than the keeping time ago.
    pub(crate) fn get(&self, list: List, now: Instant) -> Option<Arc<ListAnswer>> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers
            .get(&list)
            .filter(|a| now.saturating_duration_since(a.read_at) < self.keep_for)
            .cloned()
    }

    /// Keeps an answer, unless keeping is off or it is too large.
    pub(crate) fn put(&self, list: List, answer: Arc<ListAnswer>) {
        if self.keep_for.is_zero() || answer.body.len() > MAX_CACHED_BYTES {
            return;
        }
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.insert(list, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_for_half_the_bound_per_list() {
        let start = Instant::now();
        let cache = ListCache::with_clock(Duration::from_secs(10), Arc::new(move || start));
        let answer = Arc::new(ListAnswer::new("{}".into(), start, 0));
        cache.put(List::Menu, answer);
        assert!(cache.get(List::Menu, start).is_some());
        assert!(cache.get(List::Specials, start).is_none());
        assert!(cache
            .get(List::Menu, start + Duration::from_millis(4999))
            .is_some());
        assert!(cache
            .get(List::Menu, start + Duration::from_secs(5))
            .is_none());
    }

    #[test]
    fn nothing_is_kept_when_disabled_or_too_large() {
        let now = Instant::now();
        let disabled = ListCache::disabled();
        disabled.put(List::Menu, Arc::new(ListAnswer::new("{}".into(), now, 0)));
        assert!(disabled.get(List::Menu, now).is_none());
        let cache = ListCache::new(Duration::from_secs(10));
        let huge = "x".repeat(MAX_CACHED_BYTES + 1);
        cache.put(List::Menu, Arc::new(ListAnswer::new(huge, now, 0)));
        assert!(cache.get(List::Menu, now).is_none());
    }
}
