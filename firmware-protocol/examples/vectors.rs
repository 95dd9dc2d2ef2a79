//! Prints the test vectors of PROTOCOL.md (`cargo run -p mldsense-protocol --example vectors`).
use mldsense_protocol::*;

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn show(name: &str, frame: Frame) {
    let mut out = [0u8; MAX_FRAME_LEN];
    let mut body = [0u8; MAX_BODY_LEN];
    let n = encode(&frame, &mut out).unwrap();
    let m = encode_body(&frame, &mut body).unwrap();
    println!(
        "{name}\nbody: {}\nwire: {}\n",
        hex(&body[..m]),
        hex(&out[..n])
    );
}

fn main() {
    for t in [0x01u8, 0x02, 0x03, 0x04, 0x80] {
        println!(
            "crc_extra {t:#04x} = {:#04x}",
            message::crc_extra_of(t).unwrap()
        );
    }
    show(
        "status",
        Frame {
            seq: 1,
            timestamp_us: 0x0403_0201,
            message: Message::Status(Status {
                flags: Status::MARKER,
                saturated: 0,
                battery_mv: 3700,
            }),
        },
    );
}
