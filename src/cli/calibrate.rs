//! `mldsense calibrate`: tare and known weights per sensor, a least-squares fit on conductance,
//! and a calibration file.
//!
//! The interactive part is thin: prompts on stderr, Enter on stdin, counts averaged by
//! [`mldsense::serial::measure::read_mean_counts`] and fitted by
//! [`mldsense::calibration::fit::fit_sensor`], both tested on their own.

use anyhow::{bail, Context};
use mldsense::calibration::fit::{fit_sensor, grams_to_newtons, CalibrationPoint, CurveModel};
use mldsense::calibration::{default_area, Calibration, SensorCalibration};
use mldsense::frames::FrameAssembler;
use mldsense::serial::handshake::{start_streaming, CommandSender};
use mldsense::serial::measure::read_mean_counts;
use mldsense::units::SquareMillimetres;
use mldsense_protocol::{Command, DeviceInfo};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

/// Options of `mldsense calibrate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The glove's serial port (see `mldsense ports`).
    #[arg(long)]
    pub port: String,
    /// Known test masses in grams, lightest first.
    #[arg(long, value_delimiter = ',', default_value = "50,100,200")]
    pub weights: Vec<f64>,
    /// Where to write the calibration (TOML; `.json` for JSON). An existing file is updated:
    /// entries of other sensors are kept.
    #[arg(short, long, default_value = "calib.toml")]
    pub output: PathBuf,
    /// Fit a quadratic term too (needs two or more weights).
    #[arg(long)]
    pub quadratic: bool,
    /// Seconds to average each reading over.
    #[arg(long, default_value_t = 1.0)]
    pub average: f64,
    /// Calibrate only these channels (indices), e.g. `0,1`.
    #[arg(long, value_delimiter = ',')]
    pub channels: Vec<usize>,
    /// Baud rate (ignored by USB gloves).
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
}

/// Runs `mldsense calibrate`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.weights.is_empty() || args.weights.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
        bail!("--weights must be positive masses in grams, e.g. 50,100,200");
    }
    if !(args.average > 0.0 && args.average <= 30.0) {
        bail!("--average must be between 0 and 30 seconds");
    }
    let mut port = serialport::new(&args.port, args.baud)
        .timeout(Duration::from_millis(50))
        .open()
        .with_context(|| format!("cannot open serial port {}", args.port))?;
    let mut sender = CommandSender::default();
    let hs = start_streaming(&mut *port, &args.port, &mut sender, Duration::from_secs(3))
        .context("the glove did not start")?;
    let mut assembler = FrameAssembler::with_info(hs.device);
    assembler.push(&hs.bytes, |_| {});
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let result = procedure(&args, &hs.device, &mut *port, &mut assembler, &mut input);
    let _ = sender.send(&mut *port, Command::Stop, &args.port);
    let calibration = result?;
    calibration
        .save(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    eprintln!("wrote {}", args.output.display());
    Ok(())
}

fn wait_enter(input: &mut dyn BufRead, prompt: &str) -> anyhow::Result<()> {
    eprint!("{prompt} — press Enter ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        bail!("stdin closed: calibration needs you at the keyboard");
    }
    Ok(())
}

/// The walk-through: conditioning advice, tare, each weight on each sensor, the fits.
fn procedure(
    args: &Args,
    device: &DeviceInfo,
    port: &mut dyn std::io::Read,
    assembler: &mut FrameAssembler,
    input: &mut dyn BufRead,
) -> anyhow::Result<Calibration> {
    let rows = ((args.average * f64::from(device.rate_hz)).round() as usize).max(1);
    let settle = Duration::from_millis(500);
    let timeout = Duration::from_secs_f64(args.average * 3.0 + 2.0);
    let chans: Vec<usize> = if args.channels.is_empty() {
        (0..device.channels().len()).collect()
    } else {
        args.channels.clone()
    };
    if let Some(bad) = chans.iter().find(|&&c| c >= device.channels().len()) {
        bail!(
            "channel {bad} does not exist: the glove has {} channels",
            device.channels().len()
        );
    }
    let heaviest = args.weights.iter().copied().fold(0.0, f64::max);
    let top_adc = (1u32 << device.adc_bits.clamp(1, 16)) - 1;
    eprintln!(
        "Calibrating glove {} ({} channels, {} Hz). Calibrate on a surface like the one you will work on: FSR curves depend on it.",
        device.serial,
        device.channels().len(),
        device.rate_hz
    );
    eprintln!(
        "First condition every sensor: load it 4–5 times to about {:.0} g (110 % of the heaviest test weight), then release (Tekscan's advice: it settles the sensor's response).",
        heaviest * 1.1
    );
    wait_enter(input, "When done")?;
    wait_enter(input, "Lift your hand off all sensors (tare)")?;
    let tare = read_mean_counts(port, assembler, settle, rows, timeout, &args.port)?;
    let mut calibration = if args.output.exists() {
        Calibration::load(&args.output)?
    } else {
        Calibration::default()
    };
    calibration.created = Some(mldsense::recording::now_rfc3339());
    for &ch in &chans {
        let desc = device.channels().get(ch).copied();
        let name = desc.map(|d| d.name().to_string()).unwrap_or_default();
        let area = desc
            .filter(|d| d.area_dmm2 > 0)
            .map(|d| SquareMillimetres(f64::from(d.area_dmm2) / 10.0))
            .or_else(|| default_area(device.sensor_kind));
        let zero = tare.means.get(ch).copied().unwrap_or(0.0);
        let mut points = Vec::new();
        for &grams in &args.weights {
            wait_enter(
                input,
                &format!("Place {grams} g centred on sensor {ch} ({name}), nothing else touching"),
            )?;
            let m = read_mean_counts(port, assembler, settle, rows, timeout, &args.port)?;
            if m.max.get(ch).is_some_and(|&x| u32::from(x) >= top_adc) {
                eprintln!(
                    "warning: sensor {ch} saturated under {grams} g; that point is unreliable"
                );
            }
            let counts = m.means.get(ch).copied().unwrap_or(0.0);
            eprintln!("  {grams} g: {counts:.1} counts (tare {zero:.1})");
            points.push(CalibrationPoint {
                counts,
                force: grams_to_newtons(grams),
            });
        }
        let model = if args.quadratic {
            CurveModel::Quadratic
        } else {
            CurveModel::Linear
        };
        let fit = fit_sensor(zero, &points, model, area)
            .with_context(|| format!("sensor {ch} ({name})"))?;
        eprintln!(
            "sensor {ch} ({name}): {:.3} mN per count{}, fit RMS error {:.4} N{}",
            fit.curve.newtons_per_count * 1000.0,
            if fit.curve.quadratic != 0.0 {
                format!(" + {:.3e} N/count²", fit.curve.quadratic)
            } else {
                String::new()
            },
            fit.rms.0,
            fit.rms_pressure
                .map(|p| format!(" ({:.2} mmHg)", p.0))
                .unwrap_or_default()
        );
        calibration.insert(SensorCalibration {
            device_serial: device.serial,
            channel: ch,
            name: Some(name),
            curve: fit.curve,
            area: None,
            rms_error: Some(fit.rms),
        });
    }
    calibration.note = Some(format!(
        "weights {:?} g; averaged {} s per reading",
        args.weights, args.average
    ));
    Ok(calibration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mldsense::calibration::SensorCurve;
    use mldsense_protocol::{encode, ChannelDesc, Frame, Message, SampleBlock, SensorKind};
    use mldsense_protocol::{MAX_CHANNELS, MAX_FRAME_LEN};
    use std::cell::Cell;
    use std::rc::Rc;

    /// A glove whose counts follow the user's steps: the step counter advances each time the
    /// user presses Enter. Steps 0–2: before, after conditioning and at tare (no load);
    /// step 3 + i: weight i on the sensor being calibrated (steps run sensor by sensor).
    struct ScriptedGlove {
        step: Rc<Cell<usize>>,
        k: u32,
        truth: [SensorCurve; 2],
        weights: Vec<f64>,
    }

    impl std::io::Read for ScriptedGlove {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let step = self.step.get();
            let mut counts = [0u16; 2];
            if step >= 3 {
                let i = step - 3;
                let (sensor, w) = (i / self.weights.len(), i % self.weights.len());
                for (ch, c) in counts.iter_mut().enumerate() {
                    let f = if ch == sensor {
                        grams_to_newtons(self.weights[w])
                    } else {
                        mldsense::units::Newtons(0.0)
                    };
                    *c = self.truth[ch].counts_for(f).unwrap_or(0.0).round() as u16;
                }
            } else {
                for (ch, c) in counts.iter_mut().enumerate() {
                    *c = self.truth[ch].zero_counts as u16;
                }
            }
            let frame = Frame {
                seq: self.k as u8,
                timestamp_us: self.k.wrapping_mul(2000),
                message: Message::SampleBlock(SampleBlock::new(2, &counts).unwrap()),
            };
            self.k += 1;
            let mut out = [0u8; MAX_FRAME_LEN];
            let n = encode(&frame, &mut out).unwrap();
            buf[..n].copy_from_slice(&out[..n]);
            Ok(n)
        }
    }

    struct Keyboard(Rc<Cell<usize>>);
    impl std::io::Read for Keyboard {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            unreachable!()
        }
    }
    impl BufRead for Keyboard {
        fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
            Ok(b"\n")
        }
        fn consume(&mut self, _: usize) {
            self.0.set(self.0.get() + 1);
        }
    }

    #[test]
    fn walk_through_recovers_each_sensors_curve() {
        let dir = tempfile::tempdir().unwrap();
        let step = Rc::new(Cell::new(0));
        // Counts are rounded to integers, so use slopes that make whole counts at 50/100/200 g.
        let truth = [
            SensorCurve::linear(20.0, grams_to_newtons(50.0).0 / 200.0),
            SensorCurve::linear(35.0, grams_to_newtons(50.0).0 / 190.0),
        ];
        let weights = vec![50.0, 100.0, 200.0];
        let mut glove = ScriptedGlove {
            step: step.clone(),
            k: 0,
            truth,
            weights: weights.clone(),
        };
        let mut keyboard = Keyboard(step.clone());
        let mut channels = [ChannelDesc::new("", 0); MAX_CHANNELS];
        channels[0] = ChannelDesc::new("thumb", 1267);
        channels[1] = ChannelDesc::new("index", 1267);
        let device = DeviceInfo {
            firmware: [1, 0, 0],
            serial: 99,
            sensor_kind: SensorKind::FSR_402,
            adc_bits: 12,
            rate_hz: 500,
            rows_per_block: 1,
            channel_count: 2,
            channels,
        };
        let args = Args {
            port: "scripted".into(),
            weights,
            output: dir.path().join("c.toml"),
            quadratic: false,
            average: 0.05,
            channels: vec![],
            baud: 115_200,
        };
        let mut asm = FrameAssembler::with_info(device);
        let cal = procedure(&args, &device, &mut glove, &mut asm, &mut keyboard).unwrap();
        assert_eq!(cal.sensors.len(), 2);
        for (ch, t) in truth.iter().enumerate() {
            let got = &cal.curve_for(99, ch).unwrap().curve;
            assert!(
                (got.zero_counts - t.zero_counts).abs() < 1e-9,
                "{ch}: {got:?}"
            );
            assert!(
                (got.newtons_per_count / t.newtons_per_count - 1.0).abs() < 1e-9,
                "{ch}: {got:?} vs {t:?}"
            );
        }
        cal.save(&args.output).unwrap();
        assert_eq!(Calibration::load(&args.output).unwrap(), cal);
    }
}
