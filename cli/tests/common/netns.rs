//! Devices in Linux network namespaces, for the fault tests: each device
//! gets its own namespace whose `eth0` (10.77.0.i+1/24) is one end of a
//! veth pair; the other ends hang on a bridge in a namespace of its own,
//! so nothing of the host's network is touched. Faults are applied per
//! device: `tc netem` on its `eth0` (delay, jitter, loss, reordering) —
//! or, on a kernel without netem, a `tbf` rate limit (queueing delay and
//! drops) — and blackhole routes to the other side of a partition. Everything is
//! removed on drop.
//!
//! Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) and `ip`/`tc`
//! (iproute2); [`Net::new`] says why not when they are missing, and the
//! tests then skip.

use std::process::Command;

/// How one device's link is degraded (see [`Net::shape`]).
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Delay (netem), or the longest queueing delay (tbf).
    pub delay_ms: u32,
    /// Percent of packets lost (netem).
    pub loss: u32,
    /// Percent of packets reordered (netem).
    pub reorder: u32,
    /// The rate (tbf).
    pub rate_kbit: u32,
}

/// One bridge and `n` device namespaces.
pub struct Net {
    prefix: String,
    n: usize,
    // whether the kernel has netem (else `tbf` shapes)
    netem: bool,
    // (device, address) blackholes in place
    holes: Vec<(usize, String)>,
}

/// Run `ip`/`tc` with `args`; the error names the command and its output.
fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Net {
    /// `n` devices on one bridge, or why that is not possible here.
    pub fn new(n: usize) -> Result<Net, String> {
        // whatever is made is removed on drop, also when a step fails
        let mut net = Net {
            prefix: format!("gr{}x", std::process::id()),
            n: 0,
            netem: false,
            holes: Vec::new(),
        };
        let br = net.bridge_ns();
        run("ip", &["netns", "add", &br])?;
        run("ip", &["-n", &br, "link", "add", "br0", "type", "bridge"])?;
        run("ip", &["-n", &br, "link", "set", "br0", "up"])?;
        for i in 0..n {
            let ns = net.ns(i);
            run("ip", &["netns", "add", &ns])?;
            net.n = i + 1;
            let v = format!("v{i}");
            let link = ["-n", &br, "link", "add", &v, "type", "veth", "peer"];
            run("ip", &[&link[..], &["name", "eth0", "netns", &ns]].concat())?;
            run("ip", &["-n", &br, "link", "set", &v, "master", "br0", "up"])?;
            let addr = format!("{}/24", Net::ip(i));
            run("ip", &["-n", &ns, "addr", "add", &addr, "dev", "eth0"])?;
            run("ip", &["-n", &ns, "link", "set", "eth0", "up"])?;
            run("ip", &["-n", &ns, "link", "set", "lo", "up"])?;
        }
        let probe = [
            "netns", "exec", &br, "tc", "qdisc", "add", "dev", "br0", "root",
        ];
        net.netem = run("ip", &[&probe[..], &["netem", "delay", "1ms"]].concat()).is_ok();
        run(
            "ip",
            &[
                "netns", "exec", &br, "tc", "qdisc", "del", "dev", "br0", "root",
            ],
        )
        .ok();
        Ok(net)
    }

    fn bridge_ns(&self) -> String {
        format!("{}br", self.prefix)
    }

    /// Device `i`'s namespace.
    pub fn ns(&self, i: usize) -> String {
        format!("{}d{i}", self.prefix)
    }

    /// Device `i`'s address.
    pub fn ip(i: usize) -> String {
        format!("10.77.0.{}", i + 1)
    }

    /// A command that runs `program` inside device `i`'s namespace (the
    /// wrapper execs it: the child's pid is the program's).
    pub fn command(&self, i: usize, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns(i), program]);
        cmd
    }

    /// Shape device `i`'s outgoing traffic: with netem, `delay_ms` of
    /// delay with half as much jitter, `loss` percent loss and `reorder`
    /// percent reordering; where the kernel has no netem, a token bucket
    /// (`tbf`) of `rate_kbit` whose queue holds `delay_ms` worth of
    /// traffic, so bursts are delayed up to that long and the excess is
    /// dropped (no reordering then). `None` removes the shaping.
    pub fn shape(&self, i: usize, shape: Option<Shape>) -> Result<(), String> {
        let ns = self.ns(i);
        let tc = ["netns", "exec", &ns, "tc", "qdisc"];
        let Some(s) = shape else {
            let _ = run("ip", &[&tc[..], &["del", "dev", "eth0", "root"]].concat());
            return Ok(());
        };
        let spec = if self.netem {
            format!(
                "netem delay {}ms {}ms loss {}% reorder {}% 50%",
                s.delay_ms,
                s.delay_ms / 2,
                s.loss,
                s.reorder
            )
        } else {
            format!(
                "tbf rate {}kbit burst 16kb latency {}ms",
                s.rate_kbit, s.delay_ms
            )
        };
        let mut args = tc.to_vec();
        args.extend(["replace", "dev", "eth0", "root"]);
        args.extend(spec.split_whitespace());
        run("ip", &args)
    }

    /// What [`Net::shape`] applies on this kernel.
    pub fn shaping(&self) -> &'static str {
        if self.netem {
            "netem: delay, jitter, loss, reordering"
        } else {
            "tbf (this kernel has no netem): rate limit, queueing delay, tail drops; no reordering"
        }
    }

    /// Split the devices: those in `side` reach none outside it, and none
    /// outside reach them (blackhole routes both ways).
    pub fn partition(&mut self, side: &[usize]) -> Result<(), String> {
        for i in 0..self.n {
            for j in 0..self.n {
                if side.contains(&i) != side.contains(&j) {
                    let to = format!("{}/32", Net::ip(j));
                    run("ip", &["-n", &self.ns(i), "route", "add", "blackhole", &to])?;
                    self.holes.push((i, to));
                }
            }
        }
        Ok(())
    }

    /// Remove every partition.
    pub fn heal(&mut self) -> Result<(), String> {
        for (i, to) in std::mem::take(&mut self.holes) {
            run("ip", &["-n", &self.ns(i), "route", "del", "blackhole", &to])?;
        }
        Ok(())
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for i in 0..self.n {
            let _ = run("ip", &["netns", "del", &self.ns(i)]);
        }
        let _ = run("ip", &["netns", "del", &self.bridge_ns()]);
    }
}
