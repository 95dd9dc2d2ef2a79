//! The reader thread: reads the source, runs the [`LiveEngine`] and sends [`LiveUpdate`]s to
//! whoever shows them. Drawing never blocks reading: the screen takes updates from a channel
//! at its own pace, and the reader never waits for it (the channel is unbounded; updates are a
//! few hundred bytes per block).

use crate::error::Result;
use crate::live::engine::LiveEngine;
use crate::live::state::{Connection, LiveUpdate};
use crate::recording::HostNote;
use crate::serial::SerialSource;
use crate::stream::{Block, PressureSource, StreamEvent};
use crossbeam_channel::{Receiver, Sender};
use std::thread::JoinHandle;

/// A source the live view can read: a [`PressureSource`] that may also have news for the user
/// and must be stopped cleanly (closing its recording).
pub trait LiveSource: PressureSource + Send {
    /// Messages for the user since the last call (connected, disconnected, …).
    fn take_notices(&mut self) -> Vec<String> {
        Vec::new()
    }

    /// Stops the source and closes anything it writes.
    fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    /// Keeps what the host did (a tare, a keyboard marker) with the data, if the source
    /// records: a recording then replays to what the live view showed.
    fn note(&mut self, _note: HostNote) -> Result<()> {
        Ok(())
    }
}

impl LiveSource for SerialSource {
    fn take_notices(&mut self) -> Vec<String> {
        SerialSource::take_notices(self)
    }

    fn note(&mut self, note: HostNote) -> Result<()> {
        SerialSource::note(self, note)
    }

    fn stop(&mut self) -> Result<()> {
        SerialSource::stop(self)
    }
}

/// What the view asks the reader to do (keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Re-zero every fingertip now.
    Tare,
    /// Drop a marker at the newest row.
    Marker,
    /// Pause (`true`) or resume (`false`) scoring.
    Pause(bool),
    /// Stop reading; finish the session.
    Stop,
}

/// How the reading ended, with the engine for the report.
#[derive(Debug)]
pub struct ReaderEnd {
    /// The engine, holding every stroke and the trace.
    pub engine: LiveEngine,
    /// The error that ended reading, if one did (data so far is kept).
    pub error: Option<crate::error::Error>,
}

/// The running reader: its updates, its controls and its thread.
#[derive(Debug)]
pub struct Reader {
    /// Updates, one batch per block read.
    pub updates: Receiver<Vec<LiveUpdate>>,
    /// Requests from the keys.
    pub controls: Sender<Control>,
    handle: JoinHandle<ReaderEnd>,
}

impl Reader {
    /// Starts reading `source` on a thread of its own.
    pub fn spawn<S: LiveSource + 'static>(source: S, engine: LiveEngine) -> std::io::Result<Self> {
        Reader::spawn_with_tap(source, engine, None)
    }

    /// Starts reading `source`, sending a copy of every batch of updates to `tap` as well (the
    /// classroom link): the view's own updates are the same with or without it, and a tap
    /// that has gone away is ignored.
    pub fn spawn_with_tap<S: LiveSource + 'static>(
        source: S,
        engine: LiveEngine,
        tap: Option<Sender<Vec<LiveUpdate>>>,
    ) -> std::io::Result<Self> {
        let (tx, updates) = crossbeam_channel::unbounded();
        let (controls, rx) = crossbeam_channel::unbounded();
        let handle = std::thread::Builder::new()
            .name("mldsense-live-reader".into())
            .spawn(move || read_loop(source, engine, &tx, tap.as_ref(), &rx))?;
        Ok(Reader {
            updates,
            controls,
            handle,
        })
    }

    /// Asks the reader to stop (it finishes the block in hand).
    pub fn stop(&self) {
        let _ = self.controls.send(Control::Stop);
    }

    /// Waits for the reader to end and returns its engine; `None` if the thread panicked.
    pub fn join(self) -> Option<ReaderEnd> {
        self.handle.join().ok()
    }
}

fn read_loop<S: LiveSource>(
    mut source: S,
    mut engine: LiveEngine,
    tx: &Sender<Vec<LiveUpdate>>,
    tap: Option<&Sender<Vec<LiveUpdate>>>,
    controls: &Receiver<Control>,
) -> ReaderEnd {
    let send = |updates: Vec<LiveUpdate>| {
        if let Some(tap) = tap {
            let _ = tap.send(updates.clone());
        }
        tx.send(updates)
    };
    let mut block = Block::default();
    let mut updates = Vec::new();
    let mut error = None;
    let mut markers = 0usize;
    'reading: loop {
        for c in controls.try_iter() {
            match c {
                Control::Tare => {
                    let said = match engine.try_tare() {
                        Ok(said) => {
                            let row = engine.rows();
                            match source.note(HostNote::Tare { row }) {
                                Ok(()) => said,
                                Err(e) => format!("{said}; not recorded: {e}"),
                            }
                        }
                        Err(refused) => refused,
                    };
                    updates.push(LiveUpdate::Notice(said));
                }
                Control::Marker => markers += 1,
                Control::Pause(p) => engine.set_paused(p),
                Control::Stop => break 'reading,
            }
        }
        match source.next_block(&mut block) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                updates.push(LiveUpdate::Notice(format!("error: {e}")));
                error = Some(e);
                break;
            }
        }
        // Markers from the keyboard go into the stream like the glove button's, at the newest
        // row, so they reach the session and its report.
        let row = block.start_row + block.rows(engine_channels(&source)) as u64;
        for _ in 0..std::mem::take(&mut markers) {
            block.events.push((row, StreamEvent::Marker));
            if let Err(e) = source.note(HostNote::Marker { row }) {
                updates.push(LiveUpdate::Notice(format!("marker not recorded: {e}")));
            }
        }
        engine.push_block(&block, &mut updates);
        updates.extend(source.take_notices().into_iter().map(LiveUpdate::Notice));
        if !updates.is_empty() && send(std::mem::take(&mut updates)).is_err() {
            // Nobody is listening any more: the view has gone; stop reading.
            break;
        }
    }
    engine.finish(&mut updates);
    if let Err(e) = source.stop() {
        updates.push(LiveUpdate::Notice(format!("error: {e}")));
        error.get_or_insert(e);
    }
    updates.extend(source.take_notices().into_iter().map(LiveUpdate::Notice));
    updates.push(LiveUpdate::Connection(Connection::Ended));
    let _ = send(updates);
    ReaderEnd { engine, error }
}

fn engine_channels<S: PressureSource>(source: &S) -> usize {
    source.info().channel_count()
}
