//! The lookup cache: bounded and expiring (Parasol's keeps every answer for the life of the
//! process). Keyed by the resolver's installation epoch, so a replaced resolver's answers are
//! never served for its successor. Failures are not cached: the next lookup asks again.

use super::Resolved;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Most answers kept per direction; the oldest goes first when full.
pub(crate) const CAPACITY: usize = 512;
/// How long an answer is served (getaddrinfo reports no TTL; a minute bounds staleness while
/// sparing the resolver repeated questions about the same name).
pub(crate) const TTL: Duration = Duration::from_secs(60);

pub(crate) struct Cache<K, V> {
    entries: Mutex<HashMap<(u64, K), (Instant, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Cache<K, V> {
    fn new() -> Self {
        Cache {
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn get(&self, epoch: u64, key: &K) -> Option<V> {
        let mut map = self.entries.lock();
        let k = (epoch, key.clone());
        match map.get(&k) {
            Some((stored, v)) if stored.elapsed() < TTL => Some(v.clone()),
            Some(_) => {
                map.remove(&k);
                None
            }
            None => None,
        }
    }

    pub(crate) fn put(&self, epoch: u64, key: K, value: V) {
        let mut map = self.entries.lock();
        if map.len() >= CAPACITY && !map.contains_key(&(epoch, key.clone())) {
            map.retain(|_, (stored, _)| stored.elapsed() < TTL);
            if map.len() >= CAPACITY {
                let oldest = map
                    .iter()
                    .min_by_key(|(_, (stored, _))| *stored)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    map.remove(&k);
                }
            }
        }
        map.insert((epoch, key), (Instant::now(), value));
    }

    pub(crate) fn clear(&self) {
        self.entries.lock().clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.lock().len()
    }
}

/// Forward answers, by lower-case name.
pub(crate) fn names() -> &'static Cache<String, Resolved> {
    static NAMES: OnceLock<Cache<String, Resolved>> = OnceLock::new();
    NAMES.get_or_init(Cache::new)
}

/// Reverse answers, by address.
pub(crate) fn reverse() -> &'static Cache<IpAddr, String> {
    static REVERSE: OnceLock<Cache<IpAddr, String>> = OnceLock::new();
    REVERSE.get_or_init(Cache::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_cache_drops_the_oldest_answer() {
        let c: Cache<u32, u32> = Cache::new();
        for i in 0..CAPACITY as u32 + 10 {
            c.put(1, i, i);
        }
        assert_eq!(c.len(), CAPACITY);
        assert_eq!(c.get(1, &0), None, "the oldest went first");
        assert_eq!(c.get(1, &(CAPACITY as u32 + 9)), Some(CAPACITY as u32 + 9));
    }

    #[test]
    fn answers_are_kept_per_epoch() {
        let c: Cache<u32, u32> = Cache::new();
        c.put(1, 7, 70);
        assert_eq!(c.get(2, &7), None);
        assert_eq!(c.get(1, &7), Some(70));
    }

    #[test]
    fn expired_answers_are_not_served() {
        let c: Cache<u32, u32> = Cache::new();
        c.entries
            .lock()
            .insert((1, 5), (Instant::now() - TTL - Duration::from_secs(1), 50));
        assert_eq!(c.get(1, &5), None);
        assert_eq!(c.len(), 0, "an expired answer is dropped when met");
    }
}
