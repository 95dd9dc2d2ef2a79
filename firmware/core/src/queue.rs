//! The output queue: a fixed ring of bytes waiting for the serial link.
//!
//! Frames go in whole or not at all ([`OutQueue::push`]), so a full queue never sends half a
//! frame: the host would lose that frame *and* the next one (the torn bytes run into it up to
//! its delimiter). The link takes bytes out in whatever pieces it can ([`OutQueue::peek`],
//! [`OutQueue::consume`]).

/// A byte ring of capacity `N` (no heap).
#[derive(Clone, Debug)]
pub struct OutQueue<const N: usize> {
    buf: [u8; N],
    head: usize,
    len: usize,
}

impl<const N: usize> Default for OutQueue<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> OutQueue<N> {
    /// An empty queue.
    pub const fn new() -> Self {
        OutQueue {
            buf: [0; N],
            head: 0,
            len: 0,
        }
    }

    /// Bytes waiting.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is waiting.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Room left, bytes.
    pub const fn free(&self) -> usize {
        N - self.len
    }

    /// Appends all of `bytes`, or nothing if they do not fit. Returns whether they went in.
    pub fn push(&mut self, bytes: &[u8]) -> bool {
        if bytes.len() > self.free() {
            return false;
        }
        if bytes.is_empty() {
            return true;
        }
        // N > 0 here: a non-empty `bytes` fitted.
        let tail = (self.head + self.len) % N;
        let first = bytes.len().min(N - tail);
        let (a, b) = bytes.split_at(first);
        if let Some(dst) = self.buf.get_mut(tail..tail + first) {
            dst.copy_from_slice(a);
        }
        if let Some(dst) = self.buf.get_mut(..b.len()) {
            dst.copy_from_slice(b);
        }
        self.len += bytes.len();
        true
    }

    /// The oldest waiting bytes that lie contiguously in the ring (all of them, or up to the
    /// ring's end; after [`OutQueue::consume`] the rest follows).
    pub fn peek(&self) -> &[u8] {
        let end = (self.head + self.len).min(N);
        self.buf.get(self.head..end).unwrap_or(&[])
    }

    /// Drops the `n` oldest bytes (all of them if fewer wait): they were sent.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.len);
        if n == 0 {
            return;
        }
        self.head = (self.head + n) % N;
        self.len -= n;
        if self.len == 0 {
            // Keep frames contiguous when the queue runs empty, which is most of the time.
            self.head = 0;
        }
    }

    /// Drops everything waiting.
    pub fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }
}
