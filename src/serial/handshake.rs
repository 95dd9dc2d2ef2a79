//! The handshake with the glove (PROTOCOL.md §6): flush, `GetInfo`, then `Start`, retrying a
//! command that gets no answer, and keeping every byte received on the way so the recording
//! and the decoder see the stream from its first byte.

use crate::error::{Error, Result};
use crate::frames::{FrameAssembler, FrameItem};
use mldsense_protocol::{encode, Command, DeviceInfo, Frame, Message, ReplyResult, MAX_FRAME_LEN};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// How long to wait for an answer before sending a command again (PROTOCOL.md: 250 ms is
/// plenty at any glove rate).
pub const RETRY_AFTER: Duration = Duration::from_millis(250);

/// The host's command counter and the encoding of its commands.
#[derive(Clone, Debug, Default)]
pub struct CommandSender {
    seq: u8,
}

impl CommandSender {
    /// Encodes `command` with the next sequence number, preceded by a `00` that flushes any
    /// partial frame in the glove's decoder. Returns the bytes and the sequence number used.
    pub fn encode(&mut self, command: Command) -> (Vec<u8>, u8) {
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        let frame = Frame {
            seq,
            timestamp_us: 0,
            message: Message::Command(command),
        };
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = encode(&frame, &mut buf).unwrap_or(0);
        let mut out = Vec::with_capacity(n + 1);
        out.push(0);
        out.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        (out, seq)
    }

    /// Sends `command` on `port`; returns its sequence number.
    pub fn send<P: Write + ?Sized>(
        &mut self,
        port: &mut P,
        command: Command,
        path: &str,
    ) -> Result<u8> {
        let (bytes, seq) = self.encode(command);
        port.write_all(&bytes)
            .and_then(|()| port.flush())
            .map_err(|e| Error::Serial {
                port: path.to_string(),
                message: format!("cannot send {command:?}: {e}"),
            })?;
        Ok(seq)
    }
}

/// Sends `command` and reads until the glove acknowledges it (and, for `GetInfo` and `Start`,
/// describes itself). Every byte read is appended to `seen`. Returns the device description
/// if one came.
fn exchange<P: Read + Write + ?Sized>(
    port: &mut P,
    path: &str,
    sender: &mut CommandSender,
    command: Command,
    timeout: Duration,
    seen: &mut Vec<u8>,
) -> Result<Option<DeviceInfo>> {
    let want_info = matches!(command, Command::GetInfo | Command::Start);
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 4096];
    let mut assembler = FrameAssembler::new();
    while Instant::now() < deadline {
        let seq = sender.send(port, command, path)?;
        let retry_at = Instant::now() + RETRY_AFTER;
        let mut acked = false;
        let mut info = None;
        while Instant::now() < retry_at.min(deadline) {
            let n = match port.read(&mut buf) {
                Ok(0) => {
                    return Err(Error::Serial {
                        port: path.to_string(),
                        message: "the port closed during the handshake".into(),
                    })
                }
                Ok(n) => n,
                Err(e) if crate::serial::is_no_data_yet(&e) => continue,
                Err(e) => {
                    return Err(Error::Serial {
                        port: path.to_string(),
                        message: format!("read failed during the handshake: {e}"),
                    })
                }
            };
            let chunk = buf.get(..n).unwrap_or(&[]);
            seen.extend_from_slice(chunk);
            let mut nak = None;
            assembler.push(chunk, |item| match item {
                FrameItem::Reply { reply, .. } if reply.command_seq == seq => match reply.result {
                    ReplyResult::Ack => acked = true,
                    ReplyResult::Nak(r) => nak = Some(r),
                },
                FrameItem::Info(i) => info = Some(i),
                _ => {}
            });
            if let Some(r) = nak {
                return Err(Error::Serial {
                    port: path.to_string(),
                    message: format!("the glove refused {command:?}: {r:?}"),
                });
            }
            if acked && (!want_info || info.is_some()) {
                return Ok(info);
            }
        }
    }
    Err(Error::Serial {
        port: path.to_string(),
        message: format!(
            "no answer to {command:?} within {:.1} s: is this the glove, and is it powered?",
            timeout.as_secs_f64()
        ),
    })
}

/// What the handshake learnt.
#[derive(Clone, Debug)]
pub struct Handshake {
    /// The glove's description (from the `DeviceInfo` after `Start`).
    pub device: DeviceInfo,
    /// Every byte received during the handshake, in order (replies, device info, and any
    /// samples that already followed).
    pub bytes: Vec<u8>,
}

/// Asks the glove what it is and starts streaming.
///
/// # Errors
/// [`Error::Serial`] when the glove does not answer within `timeout` per command, refuses a
/// command, or the port fails.
pub fn start_streaming<P: Read + Write + ?Sized>(
    port: &mut P,
    path: &str,
    sender: &mut CommandSender,
    timeout: Duration,
) -> Result<Handshake> {
    let mut bytes = Vec::new();
    exchange(port, path, sender, Command::GetInfo, timeout, &mut bytes)?;
    let started = exchange(port, path, sender, Command::Start, timeout, &mut bytes).and_then(|d| {
        d.ok_or_else(|| Error::Serial {
            port: path.to_string(),
            message: "the glove started without describing itself".into(),
        })
    });
    match started {
        Ok(device) => Ok(Handshake { device, bytes }),
        Err(e) => {
            // Once a Start has gone out the glove may be streaming even if no answer came
            // back (a lost Reply): never leave it so (PROTOCOL.md §5, Start).
            let _ = sender.send(port, Command::Stop, path);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::firmware::Firmware;
    use crate::sim::glove::{GloveConfig, VirtualGlove};

    /// An in-memory glove: what the host writes goes to the firmware; reads return its answers.
    struct Loop {
        fw: Firmware,
        out: Vec<u8>,
        /// Drop the first command (as if its CRC failed) to exercise the retry.
        lose_first: bool,
    }

    impl Read for Loop {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.out.extend(self.fw.take_output());
            if self.out.is_empty() {
                std::thread::sleep(Duration::from_millis(1));
                return Err(std::io::ErrorKind::TimedOut.into());
            }
            let n = buf.len().min(self.out.len());
            buf[..n].copy_from_slice(&self.out[..n]);
            self.out.drain(..n);
            Ok(n)
        }
    }

    impl Write for Loop {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.lose_first {
                self.lose_first = false;
            } else {
                self.fw.receive(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn handshake_retries_and_starts() {
        let mut port = Loop {
            fw: Firmware::new(VirtualGlove::new(GloveConfig::default())),
            out: Vec::new(),
            lose_first: true,
        };
        let mut sender = CommandSender::default();
        let hs = start_streaming(&mut port, "loop", &mut sender, Duration::from_secs(2)).unwrap();
        assert_eq!(hs.device.channel_count, 5);
        assert!(port.fw.streaming());
        // GetInfo sent twice (first lost), then Start.
        assert_eq!(port.fw.stats().commands, 2);
        assert!(!hs.bytes.is_empty());
    }
}
