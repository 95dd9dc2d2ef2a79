//! mldsense glove firmware for the WeAct STM32F411CEU6 "Black Pill".
//!
//! Five FSR 402 fingertip sensors, each in the feedback path of an inverting amplifier (counts
//! proportional to conductance, PROTOCOL.md's measurement contract), on PA1–PA5 (ADC1 IN1–IN5);
//! the on-board KEY button (PA0) is the marker button, the on-board LED (PC13) blinks on
//! `Identify`; USB CDC-ACM to the host. Wiring and parts: `firmware/README.md`.
//!
//! All protocol work is `mldsense-firmware` (the core the host's virtual glove also runs); this
//! file only binds it to the chip:
//!
//! * **Sampling** — a task on a high-priority interrupt executor, paced by an embassy `Ticker`
//!   (driven by the TIM5 compare interrupt at 1 MHz), calls `Firmware::tick` once per period.
//!   USB work runs at thread priority and is pre-empted by it, so the sampling rhythm does not
//!   depend on the host.
//! * **USB** — one task feeds received packets to `Firmware::receive`, one sends the output
//!   queue in 64-byte packets. When the host does not read, the queue fills and the core drops
//!   whole blocks (their sequence numbers used up, so the host counts the rows lost).
//!
//! The firmware state lives in one critical-section mutex; each lock is short (one row's five
//! conversions, about 15 µs, or copying one packet).

#![no_std]
#![no_main]

use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use embassy_executor::{InterruptExecutor, Spawner};
use embassy_stm32::adc::{Adc, AdcChannel, AnyAdcChannel, SampleTime};
use embassy_stm32::exti::ExtiInput;
use embassy_stm32::gpio::{Level, Output, Pull, Speed};
use embassy_stm32::interrupt::{InterruptExt, Priority};
use embassy_stm32::mode::Async;
use embassy_stm32::peripherals::{ADC1, USB_OTG_FS};
use embassy_stm32::time::Hertz;
use embassy_stm32::usb::Driver;
use embassy_stm32::{bind_interrupts, exti, interrupt, usb, Config};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Instant, Ticker, Timer};
use embassy_usb::class::cdc_acm::{CdcAcmClass, Receiver, Sender, State};
use embassy_usb::UsbDevice;
use mldsense_firmware::{Adc as CoreAdc, Clock, DeviceConfig, Firmware, Panel, SampleTimer};
use mldsense_protocol::{ChannelDesc, SensorKind};
use panic_halt as _;
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    OTG_FS => usb::InterruptHandler<USB_OTG_FS>;
    EXTI0 => exti::InterruptHandler<interrupt::typelevel::EXTI0>;
});

/// Channels: thumb to little finger.
const CHANNELS: usize = 5;

/// The glove's serial number. Give each glove its own (it names the sensors in calibration
/// files): set `MLDSENSE_SERIAL` when building, e.g. `MLDSENSE_SERIAL=17 cargo build`.
const SERIAL: u32 = match option_env!("MLDSENSE_SERIAL") {
    Some(s) => parse_u32(s),
    None => 1,
};

const fn parse_u32(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut v: u32 = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] >= b'0' && b[i] <= b'9' {
            v = v.wrapping_mul(10).wrapping_add((b[i] - b'0') as u32);
        }
        i += 1;
    }
    v
}

/// The output queue: 4096 bytes, about 350 ms of output at 1000 Hz × 5 channels.
const QUEUE: usize = 4096;

/// FSR 402 active area, 0.1 mm² (12.7 mm diameter).
const FSR402_AREA_DMM2: u16 = 1267;

/// ADC sample time: 56 ADC cycles at 24 MHz (2.3 µs) settles the amplifier's output through
/// the ADC's sampling capacitor to well under one count; with 12 cycles of conversion one
/// channel takes 2.8 µs.
const SAMPLE_TIME: SampleTime = SampleTime::CYCLES56;

/// Sample timer period requested by the core, µs; 0 = stopped.
static PERIOD_US: AtomicU32 = AtomicU32::new(0);
/// Wakes the sampling task when the period changes.
static TIMER_CHANGED: Signal<CriticalSectionRawMutex, ()> = Signal::new();
/// Wakes the USB sender when the core queued output.
static OUTPUT_READY: Signal<CriticalSectionRawMutex, ()> = Signal::new();
/// Latched marker-button press.
static BUTTON: AtomicBool = AtomicBool::new(false);
/// Times the host went away (the receiver saw the link go down).
static DISCONNECTS: AtomicU32 = AtomicU32::new(0);
/// Wakes the LED task for `Identify`.
static IDENTIFY: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// The chip as the firmware core sees it.
struct BlackPill {
    adc: Adc<'static, ADC1>,
    pins: [AnyAdcChannel<'static, ADC1>; CHANNELS],
}

impl CoreAdc for BlackPill {
    fn read_row(&mut self, counts: &mut [u16]) {
        for (c, pin) in counts.iter_mut().zip(self.pins.iter_mut()) {
            *c = self.adc.blocking_read(pin, SAMPLE_TIME);
        }
    }
}

impl Clock for BlackPill {
    fn now_us(&mut self) -> u32 {
        // embassy-time ticks at 1 MHz (feature tick-hz-1_000_000): the low 32 bits wrap as
        // PROTOCOL.md expects.
        Instant::now().as_micros() as u32
    }
}

impl SampleTimer for BlackPill {
    fn start(&mut self, period_us: u32) {
        PERIOD_US.store(period_us.max(1), Ordering::Relaxed);
        TIMER_CHANGED.signal(());
    }
    fn stop(&mut self) {
        PERIOD_US.store(0, Ordering::Relaxed);
        TIMER_CHANGED.signal(());
    }
}

impl Panel for BlackPill {
    fn take_button_press(&mut self) -> bool {
        BUTTON.swap(false, Ordering::Relaxed)
    }
    // No battery: the glove is powered by USB, so `battery_mv` stays `None` (Status carries 0).
    fn identify(&mut self) {
        IDENTIFY.signal(());
    }
}

type Glove = Firmware<BlackPill, QUEUE>;

static FIRMWARE: Mutex<CriticalSectionRawMutex, RefCell<Option<Glove>>> =
    Mutex::new(RefCell::new(None));

fn with_firmware<R>(f: impl FnOnce(&mut Glove) -> R) -> Option<R> {
    FIRMWARE.lock(|cell| cell.borrow_mut().as_mut().map(f))
}

static EXECUTOR_HIGH: InterruptExecutor = InterruptExecutor::new();

#[interrupt]
unsafe fn USART6() {
    // SAFETY: the interrupt executor's documented use: called from the interrupt it was
    // started on, and nowhere else.
    unsafe { EXECUTOR_HIGH.on_interrupt() }
}

/// Calls `tick` once per period while the core wants samples.
#[embassy_executor::task]
async fn sample_task() {
    loop {
        let period = PERIOD_US.load(Ordering::Relaxed);
        if period == 0 {
            TIMER_CHANGED.wait().await;
            continue;
        }
        TIMER_CHANGED.reset();
        let mut ticker = Ticker::every(Duration::from_micros(u64::from(period)));
        while PERIOD_US.load(Ordering::Relaxed) == period && !TIMER_CHANGED.signaled() {
            ticker.next().await;
            with_firmware(|fw| fw.tick());
            OUTPUT_READY.signal(());
        }
    }
}

type UsbDriver = Driver<'static, USB_OTG_FS>;

#[embassy_executor::task]
async fn usb_task(mut device: UsbDevice<'static, UsbDriver>) {
    device.run().await;
}

/// Bytes from the host into the core.
#[embassy_executor::task]
async fn rx_task(mut rx: Receiver<'static, UsbDriver>) {
    let mut buf = [0u8; 64];
    loop {
        rx.wait_connection().await;
        while let Ok(n) = rx.read_packet(&mut buf).await {
            let bytes = buf.get(..n).unwrap_or(&[]);
            with_firmware(|fw| fw.receive(bytes));
            OUTPUT_READY.signal(());
        }
        // Unplugged: stop streaming into a port nobody reads (PROTOCOL.md §6), and tell the
        // sender to wait for the next connection.
        with_firmware(|fw| fw.disconnected());
        DISCONNECTS.fetch_add(1, Ordering::Relaxed);
        OUTPUT_READY.signal(());
    }
}

/// The core's output queue to the host, one packet at a time.
#[embassy_executor::task]
async fn tx_task(mut tx: Sender<'static, UsbDriver>) {
    let mut packet = [0u8; 64];
    loop {
        tx.wait_connection().await;
        let session = DISCONNECTS.load(Ordering::Relaxed);
        with_firmware(|fw| fw.connected());
        while DISCONNECTS.load(Ordering::Relaxed) == session {
            let n = with_firmware(|fw| {
                let chunk = fw.pending();
                let n = chunk.len().min(packet.len());
                if let (Some(dst), Some(src)) = (packet.get_mut(..n), chunk.get(..n)) {
                    dst.copy_from_slice(src);
                }
                n
            })
            .unwrap_or(0);
            if n == 0 {
                OUTPUT_READY.wait().await;
                continue;
            }
            if tx
                .write_packet(packet.get(..n).unwrap_or(&[]))
                .await
                .is_err()
            {
                with_firmware(|fw| fw.disconnected());
                break; // unplugged: wait for the next connection
            }
            let more = with_firmware(|fw| {
                fw.consume(n);
                fw.queued() > 0
            })
            .unwrap_or(false);
            // A full packet with nothing after it needs a zero-length packet to end the
            // transfer on hosts that wait for a short one.
            if n == packet.len() && !more && tx.write_packet(&[]).await.is_err() {
                break;
            }
        }
    }
}

/// Latches presses of the KEY button (debounced: 20 ms).
#[embassy_executor::task]
async fn button_task(mut key: ExtiInput<'static, Async>) {
    loop {
        key.wait_for_falling_edge().await;
        BUTTON.store(true, Ordering::Relaxed);
        Timer::after_millis(20).await;
        key.wait_for_high().await;
        Timer::after_millis(20).await;
    }
}

/// Blinks the LED five times on `Identify` (PC13, lit when low).
#[embassy_executor::task]
async fn led_task(mut led: Output<'static>) {
    loop {
        IDENTIFY.wait().await;
        for _ in 0..5 {
            led.set_low();
            Timer::after_millis(150).await;
            led.set_high();
            Timer::after_millis(150).await;
        }
    }
}

static EP_OUT_BUFFER: StaticCell<[u8; 256]> = StaticCell::new();
static CONFIG_DESC: StaticCell<[u8; 256]> = StaticCell::new();
static BOS_DESC: StaticCell<[u8; 256]> = StaticCell::new();
static CONTROL_BUF: StaticCell<[u8; 64]> = StaticCell::new();
static CDC_STATE: StaticCell<State> = StaticCell::new();

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let mut config = Config::default();
    {
        use embassy_stm32::rcc::*;
        // The Black Pill's 25 MHz crystal → 96 MHz system clock, 48 MHz for USB.
        config.rcc.hse = Some(Hse {
            freq: Hertz(25_000_000),
            mode: HseMode::Oscillator,
        });
        config.rcc.pll_src = PllSource::HSE;
        config.rcc.pll = Some(Pll {
            prediv: PllPreDiv::DIV25,
            mul: PllMul::MUL192,
            divp: Some(PllPDiv::DIV2),
            divq: Some(PllQDiv::DIV4),
            divr: None,
        });
        config.rcc.ahb_pre = AHBPrescaler::DIV1;
        config.rcc.apb1_pre = APBPrescaler::DIV2;
        config.rcc.apb2_pre = APBPrescaler::DIV1;
        config.rcc.sys = Sysclk::PLL1_P;
    }
    let p = embassy_stm32::init(config);

    let adc = Adc::new(p.ADC1);
    let pins = [
        p.PA1.degrade_adc(),
        p.PA2.degrade_adc(),
        p.PA3.degrade_adc(),
        p.PA4.degrade_adc(),
        p.PA5.degrade_adc(),
    ];
    let names = ["thumb", "index", "middle", "ring", "little"];
    let mut channels = [ChannelDesc::new("", 0); CHANNELS];
    for (ch, name) in channels.iter_mut().zip(names) {
        *ch = ChannelDesc::new(name, FSR402_AREA_DMM2);
    }
    let mut device = DeviceConfig::new(SERIAL, SensorKind::FSR_402, 12, &channels);
    // The MCP6004 front end tops out about 50 mV below 3.3 V (4033 counts): call 3.22 V
    // (4000 counts) the top of the range.
    device.saturation_counts = 4000;
    FIRMWARE.lock(|cell| {
        cell.replace(Some(Firmware::new(BlackPill { adc, pins }, device)));
    });

    // Sampling pre-empts everything else.
    interrupt::USART6.set_priority(Priority::P6);
    let high = EXECUTOR_HIGH.start(interrupt::USART6);
    if let Ok(t) = sample_task() {
        high.spawn(t);
    }

    let mut usb_config = usb::Config::default();
    // The Black Pill senses no VBUS pin; it is powered from USB anyway.
    usb_config.vbus_detection = false;
    let driver = Driver::new_fs(
        p.USB_OTG_FS,
        Irqs,
        p.PA12,
        p.PA11,
        EP_OUT_BUFFER.init([0; 256]),
        usb_config,
    );
    // pid.codes test PID: fine for a build of your own; a product needs its own VID:PID.
    let mut config = embassy_usb::Config::new(0x1209, 0x0001);
    config.manufacturer = Some("mldsense");
    config.product = Some("mldsense glove");
    config.serial_number = Some("mldsense-blackpill");
    config.max_power = 100;
    config.max_packet_size_0 = 64;
    let mut builder = embassy_usb::Builder::new(
        driver,
        config,
        CONFIG_DESC.init([0; 256]),
        BOS_DESC.init([0; 256]),
        &mut [],
        CONTROL_BUF.init([0; 64]),
    );
    let class = CdcAcmClass::new(&mut builder, CDC_STATE.init(State::new()), 64);
    let (tx, rx) = class.split();
    let device = builder.build();

    let key = ExtiInput::new(p.PA0, p.EXTI0, Pull::Up, Irqs);
    let led = Output::new(p.PC13, Level::High, Speed::Low);

    if let Ok(t) = usb_task(device) {
        spawner.spawn(t);
    }
    if let Ok(t) = rx_task(rx) {
        spawner.spawn(t);
    }
    if let Ok(t) = tx_task(tx) {
        spawner.spawn(t);
    }
    if let Ok(t) = button_task(key) {
        spawner.spawn(t);
    }
    if let Ok(t) = led_task(led) {
        spawner.spawn(t);
    }
    // Nothing else to do here: the tasks run forever.
    core::future::pending::<()>().await;
}
