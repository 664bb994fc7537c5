//! [`HandleTable`]: the generational table behind every handle that crosses the C ABI (the tables
//! themselves and their kind tags are in `handles.rs`).
//!
//! An id is a `u64`: the table's kind tag in the top 8 bits, a 24-bit generation in bits 32..56
//! and a 32-bit slot index below. A slot's generation changes every time its value is removed, so
//! an id outlives its value only as a *stale* id: lookups of stale, foreign (random), wrong-kind or
//! zero ids return `None`, never another value.
use std::sync::Arc;

use parking_lot::RwLock;

const GENERATION_BITS: u32 = 24;
const GENERATION_MASK: u64 = (1 << GENERATION_BITS) - 1;

struct Slot<T> {
    generation: u32,
    value: Option<Arc<T>>,
}

struct Inner<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
}

/// A thread-safe table of `Arc<T>` values addressed by generational `u64` ids.
pub(crate) struct HandleTable<T> {
    kind: u8,
    inner: RwLock<Inner<T>>,
}

impl<T> HandleTable<T> {
    /// An empty table whose ids carry `kind` in their top byte. Panics (at compile time in a
    /// `static`) if `kind` is 0: ids are never 0, so a NULL pointer is never a valid handle.
    pub(crate) const fn new(kind: u8) -> Self {
        assert!(kind != 0, "handle kind 0 is reserved");
        HandleTable { kind, inner: RwLock::new(Inner { slots: Vec::new(), free: Vec::new(), len: 0 }) }
    }

    /// Stores `value` and returns its id.
    pub(crate) fn insert(&self, value: T) -> u64 {
        let value = Arc::new(value);
        let mut inner = self.inner.write();
        inner.len += 1;
        let slot = match inner.free.pop() {
            Some(slot) => {
                let s = &mut inner.slots[slot as usize];
                s.value = Some(value);
                slot
            }
            None => {
                let slot = u32::try_from(inner.slots.len()).expect("handle table full");
                inner.slots.push(Slot { generation: 1, value: Some(value) });
                slot
            }
        };
        let generation = inner.slots[slot as usize].generation;
        self.encode(generation, slot)
    }

    /// The value for `id`, or `None` for a removed, stale, foreign or wrong-kind id.
    pub(crate) fn get(&self, id: u64) -> Option<Arc<T>> {
        let (generation, slot) = self.decode(id)?;
        let inner = self.inner.read();
        let s = inner.slots.get(slot as usize)?;
        if s.generation != generation {
            return None;
        }
        s.value.clone()
    }

    /// Removes the value for `id` and returns it; `None` if `id` is not live (so a second removal
    /// of the same id returns `None`).
    pub(crate) fn remove(&self, id: u64) -> Option<Arc<T>> {
        let (generation, slot) = self.decode(id)?;
        let mut inner = self.inner.write();
        let s = inner.slots.get_mut(slot as usize)?;
        if s.generation != generation {
            return None;
        }
        let value = s.value.take()?;
        // Next generation, skipping 0 so that no id is ever 0 below the kind byte.
        s.generation = ((s.generation as u64 + 1) & GENERATION_MASK).max(1) as u32;
        inner.free.push(slot);
        inner.len -= 1;
        Some(value)
    }

    /// Number of live values.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner.read().len
    }

    fn encode(&self, generation: u32, slot: u32) -> u64 {
        ((self.kind as u64) << 56) | (((generation as u64) & GENERATION_MASK) << 32) | slot as u64
    }

    fn decode(&self, id: u64) -> Option<(u32, u32)> {
        if (id >> 56) as u8 != self.kind {
            return None;
        }
        let generation = ((id >> 32) & GENERATION_MASK) as u32;
        if generation == 0 {
            return None;
        }
        Some((generation, id as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIND_SERVER: u8 = 0x53;
    const KIND_REQUEST: u8 = 0x52;

    #[test]
    fn insert_get_remove() {
        let t = HandleTable::new(7);
        let a = t.insert("a");
        let b = t.insert("b");
        assert_ne!(a, b);
        assert_eq!(a >> 56, 7);
        assert_eq!(*t.get(a).unwrap(), "a");
        assert_eq!(*t.get(b).unwrap(), "b");
        assert_eq!(t.len(), 2);
        assert_eq!(*t.remove(a).unwrap(), "a");
        assert!(t.get(a).is_none(), "removed id is stale");
        assert!(t.remove(a).is_none(), "double remove");
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn stale_id_after_slot_reuse() {
        let t = HandleTable::new(1);
        let a = t.insert(1);
        t.remove(a);
        let b = t.insert(2);
        assert_eq!(a as u32, b as u32, "slot reused");
        assert_ne!(a, b, "generation differs");
        assert!(t.get(a).is_none());
        assert_eq!(*t.get(b).unwrap(), 2);
    }

    #[test]
    fn wrong_kind_and_foreign_ids() {
        let servers = HandleTable::new(KIND_SERVER);
        let requests = HandleTable::new(KIND_REQUEST);
        let s = servers.insert(1u32);
        let r = requests.insert(2u32);
        assert!(requests.get(s).is_none());
        assert!(servers.get(r).is_none());
        assert!(servers.remove(r).is_none());
        assert!(servers.get(0).is_none());
        assert!(servers.get(u64::MAX).is_none());
        // Same kind byte, random generation/slot.
        assert!(servers.get(((KIND_SERVER as u64) << 56) | 0x00AB_CDEF_0000_0000).is_none());
        assert!(servers.get(((KIND_SERVER as u64) << 56) | 12345).is_none());
        assert!(servers.get(s ^ (1 << 40)).is_none());
    }

    #[test]
    fn concurrent_use() {
        let t = Arc::new(HandleTable::new(3));
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let t = t.clone();
                std::thread::spawn(move || {
                    for j in 0..1000 {
                        let id = t.insert(i * 10000 + j);
                        assert_eq!(*t.get(id).unwrap(), i * 10000 + j);
                        assert_eq!(*t.remove(id).unwrap(), i * 10000 + j);
                        assert!(t.get(id).is_none());
                    }
                })
            })
            .collect();
        for th in threads {
            th.join().unwrap();
        }
        assert_eq!(t.len(), 0);
    }
}
