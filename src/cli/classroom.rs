//! `mldsense classroom`: the live classroom server. Prints the address to open, serves the
//! instructor's page and the students' `live --join` until Ctrl-C, then (with `--report DIR`)
//! writes the class view of the sessions just held.

use anyhow::Context;
use mldsense::classroom::board::Limits;
use mldsense::classroom::server::{new_code, Classroom, Config, DEFAULT_LISTEN};
use mldsense::report::Format;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Options of `mldsense classroom`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mldsense classroom                                   this machine only (no code needed)
  mldsense classroom --listen 0.0.0.0:7878 --report class-2026-12-02/
      on the classroom's network: prints a join code that students and viewers need

Students join from their own machines:
  mldsense live --port /dev/ttyACM0 --join 192.168.1.20:7878 --join-code ABCD-EFGH --trainee Anna

Ctrl-C ends the class; with --report DIR the class view (HTML, JSON, CSV) of the sessions that
ended is written there. The students' recordings and reports stay on their machines.")]
pub struct Args {
    /// Address to listen on. The default is this machine only; any other address (the
    /// classroom's network) needs the join code printed at start.
    #[arg(long, value_name = "ADDR:PORT", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Use this join code instead of a new random one (only on a network address).
    #[arg(long, value_name = "CODE")]
    pub join_code: Option<String>,
    /// Write the class view here at the end of class (class.html, class.json, class.csv).
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Technique profile the class view is graded against (each tile shows its trainee's own
    /// window): a built-in name or a TOML file.
    #[arg(long, default_value = "default", value_name = "NAME|FILE")]
    pub profile: String,
    /// The most trainees at once.
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub max_trainees: usize,
}

/// Runs `mldsense classroom`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let profile = super::analyze::resolve_profile(&args.profile, None)?;
    if !(1..=500).contains(&args.max_trainees) {
        return Err(super::usage(format!(
            "--max-trainees must be 1 to 500, got {}",
            args.max_trainees
        )));
    }
    let loopback = args.listen.ip().is_loopback();
    let code = match (&args.join_code, loopback) {
        (Some(_), true) => {
            return Err(super::usage(
                "--join-code is for a network address; on this machine only no code is needed",
            ))
        }
        (Some(c), false) => {
            // Dashes are for reading and are ignored when codes are compared: count the rest.
            let letters = c.bytes().filter(u8::is_ascii_alphanumeric).count();
            let ok = (6..=64).contains(&letters)
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !ok {
                return Err(super::usage(
                    "--join-code: 6 to 64 letters and digits (dashes may separate them)",
                ));
            }
            Some(c.clone())
        }
        (None, true) => None,
        (None, false) => Some(new_code()),
    };
    if let Some(dir) = &args.report {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the report folder {}", dir.display()))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    let config = Config {
        listen: args.listen,
        code: code.clone(),
        limits: Limits {
            max_trainees: args.max_trainees,
            ..Limits::default()
        },
        profile,
        log: super::verbosity() > super::Verbosity::Quiet,
    };
    runtime.block_on(async move {
        let classroom = Classroom::bind(config)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let addr = classroom.local_addr().context("reading the listening address")?;
        let shown = if addr.ip().is_unspecified() {
            SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
        } else {
            addr
        };
        let query = code
            .as_deref()
            .map(|c| format!("?code={c}"))
            .unwrap_or_default();
        let mut out = std::io::stdout().lock();
        writeln!(out, "classroom open at http://{shown}/{query}")?;
        if let Some(c) = &code {
            writeln!(out, "join code: {c}")?;
            if addr.ip().is_unspecified() {
                writeln!(
                    out,
                    "(listening on every network of this machine: students use its address on the classroom's network)"
                )?;
            }
        } else {
            writeln!(out, "(this machine only: give --listen ADDR:PORT to open it to the classroom's network)")?;
        }
        writeln!(out, "students join with: {}", classroom.join_hint())?;
        writeln!(out, "Ctrl-C ends the class.")?;
        out.flush()?;
        drop(out);
        let records = classroom.records();
        let server = tokio::spawn(classroom.serve(std::future::pending()));
        tokio::select! {
            r = server => {
                r.context("the server stopped")?.context("serving")?;
            }
            r = tokio::signal::ctrl_c() => {
                r.context("waiting for Ctrl-C")?;
            }
            () = terminate() => {}
        }
        let (rows, practising) = records.rows();
        println!(
            "class ended: {} session{} ended, {} still practising",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            practising
        );
        if let Some(dir) = &args.report {
            for (name, format) in [
                ("class.html", Format::Html),
                ("class.json", Format::Json),
                ("class.csv", Format::Csv),
            ] {
                let path = dir.join(name);
                write_view(&records, &path, format)?;
                println!("class view: {}", path.display());
            }
        }
        anyhow::Ok(())
    })?;
    // The runtime's tasks (open pages, students) are dropped here, not waited for.
    runtime.shutdown_background();
    Ok(())
}

fn write_view(
    records: &mldsense::classroom::server::Records,
    path: &Path,
    format: Format,
) -> anyhow::Result<()> {
    let mut file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    records
        .write(format, &mut file)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Resolves on SIGTERM (a service manager stopping the class), like Ctrl-C.
async fn terminate() {
    #[cfg(unix)]
    {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
            return;
        }
    }
    std::future::pending::<()>().await;
}
