//! Listing serial ports, with what USB says about them, so the user can tell which is the
//! glove.

use crate::error::{Error, Result};
use serde::Serialize;

/// One serial port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortDescription {
    /// The path to open, e.g. `/dev/ttyACM0` or `COM3`.
    pub path: String,
    /// `usb`, `pci`, `bluetooth` or `unknown`.
    pub kind: &'static str,
    /// USB vendor id, when the port is a USB device.
    pub vid: Option<u16>,
    /// USB product id.
    pub pid: Option<u16>,
    /// USB serial number string.
    pub serial_number: Option<String>,
    /// USB manufacturer string.
    pub manufacturer: Option<String>,
    /// USB product string.
    pub product: Option<String>,
}

impl PortDescription {
    /// One line for a person: path, then whatever is known.
    pub fn describe(&self) -> String {
        let mut parts = vec![self.path.clone(), self.kind.to_string()];
        if let (Some(v), Some(p)) = (self.vid, self.pid) {
            parts.push(format!("{v:04x}:{p:04x}"));
        }
        if let Some(m) = &self.manufacturer {
            parts.push(m.clone());
        }
        if let Some(p) = &self.product {
            parts.push(p.clone());
        }
        if let Some(s) = &self.serial_number {
            parts.push(format!("serial {s}"));
        }
        parts.join("  ")
    }
}

impl From<serialport::SerialPortInfo> for PortDescription {
    fn from(info: serialport::SerialPortInfo) -> Self {
        use serialport::SerialPortType as T;
        let mut d = PortDescription {
            path: info.port_name,
            kind: "unknown",
            vid: None,
            pid: None,
            serial_number: None,
            manufacturer: None,
            product: None,
        };
        match info.port_type {
            T::UsbPort(u) => {
                d.kind = "usb";
                d.vid = Some(u.vid);
                d.pid = Some(u.pid);
                d.serial_number = u.serial_number;
                d.manufacturer = u.manufacturer;
                d.product = u.product;
            }
            T::PciPort => d.kind = "pci",
            T::BluetoothPort => d.kind = "bluetooth",
            T::Unknown => {}
        }
        d
    }
}

/// The serial ports the operating system knows of (on Linux, read from sysfs), sorted by path.
/// An empty list is not an error.
pub fn list_ports() -> Result<Vec<PortDescription>> {
    let ports = serialport::available_ports().map_err(|e| Error::Serial {
        port: "(listing)".into(),
        message: format!("cannot list serial ports: {e}"),
    })?;
    let mut out: Vec<PortDescription> = ports.into_iter().map(PortDescription::from).collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usb_ports_describe_their_ids() {
        let info = serialport::SerialPortInfo {
            port_name: "/dev/ttyACM0".into(),
            port_type: serialport::SerialPortType::UsbPort(serialport::UsbPortInfo {
                vid: 0x2e8a,
                pid: 0x000a,
                serial_number: Some("E6614C".into()),
                manufacturer: Some("Raspberry Pi".into()),
                product: Some("Pico".into()),
            }),
        };
        let d = PortDescription::from(info);
        assert_eq!(d.kind, "usb");
        assert_eq!(
            d.describe(),
            "/dev/ttyACM0  usb  2e8a:000a  Raspberry Pi  Pico  serial E6614C"
        );
    }
}
