//! Pictures: the trust graph coloured by trust, and the trust histogram.
//!
//! Both are rendered by this module with no system libraries: SVG is text,
//! PNG is an RGB raster encoded by the pure-Rust `png` crate. PNGs carry no
//! text (no font rasteriser is needed); the SVGs carry titles and legends.
//!
//! **Layout.** Fruchterman–Reingold force-directed placement: edges pull
//! their ends together (force `d²/k`), every pair repels (`k²/d`), and a
//! cooling temperature caps each step, with `k = √(area/n)`. Dense regions
//! hanging off the rest by few edges — what a Sybil region looks like —
//! come out as separate clumps. Repulsion is all-pairs, `O(n²)` per
//! iteration, parallel over members; that is a fraction of a second up to
//! [`DEFAULT_MAX_NODES`]. Larger graphs are *sampled*: breadth-first balls
//! grown in turn from `max/50` members spread evenly over the ranking (so
//! every trust level is shown with the sureties around it), and the title
//! says so.
//!
//! **Colour.** `trust` is relative to the trusted side's median member, so
//! `log₁₀ trust` runs from about 0 (typical) down to −2 and below (suspect):
//! green at ≥ 1, through yellow, to red at ≤ 0.01; grey for unreachable
//! members (trust 0). Seeds get a dark ring.

use super::error::AuditError;
use super::graph::TrustGraph;
use super::pipeline::{AuditReport, Status};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use std::fmt::Write;

/// Members drawn before sampling kicks in.
pub const DEFAULT_MAX_NODES: usize = 2000;
const SIZE: usize = 1000;
const MARGIN: f64 = 40.0;

/// A laid-out drawing of (a sample of) the trust graph.
#[derive(Debug, Clone)]
pub struct Drawing {
    pos: Vec<(f64, f64)>,
    trust: Vec<f64>,
    status: Vec<Status>,
    edges: Vec<(u32, u32)>,
    title: String,
}

/// RGB colour for a trust value.
pub fn colour(trust: f64, status: Status) -> [u8; 3] {
    if status == Status::Unreachable || trust <= 0.0 {
        return [150, 150, 150];
    }
    let t = ((trust.log10() + 2.0) / 2.0).clamp(0.0, 1.0);
    // red (215,48,39) → yellow (254,224,139) → green (26,152,80)
    let (a, b, u) = if t < 0.5 {
        ([215.0, 48.0, 39.0], [254.0, 224.0, 139.0], t * 2.0)
    } else {
        ([254.0, 224.0, 139.0], [26.0, 152.0, 80.0], t * 2.0 - 1.0)
    };
    let mix = |i: usize| (a[i] + (b[i] - a[i]) * u).round() as u8;
    [mix(0), mix(1), mix(2)]
}

impl Drawing {
    /// Lay out `g` (the graph `report` was computed on), sampling beyond
    /// `max_nodes` members. `max_nodes = 0` is an error.
    pub fn new(g: &TrustGraph, report: &AuditReport, max_nodes: usize) -> Result<Self, AuditError> {
        if max_nodes == 0 {
            return Err(AuditError::Picture {
                members: g.len(),
                reason: "the drawing limit is 0 members".into(),
            });
        }
        let n = g.len();
        let chosen = sample(g, report, max_nodes);
        let (sub, map) = g.induced(&chosen);
        let mut trust = vec![0.0; sub.len()];
        let mut status = vec![Status::Trusted; sub.len()];
        let mut local = vec![u32::MAX; n];
        for (i, &v) in map.iter().enumerate() {
            local[v as usize] = i as u32;
        }
        for m in &report.ranking {
            if let Some(v) = g.index_of(&m.id) {
                let i = local[v as usize];
                if i != u32::MAX {
                    trust[i as usize] = m.trust;
                    status[i as usize] = m.status;
                }
            }
        }
        let edges: Vec<(u32, u32)> = sub.edges().collect();
        let pos = layout(sub.len(), &edges, 150, 0x1a70);
        let title = if sub.len() < n {
            format!(
                "Trust graph: sample of {} of {} members (breadth-first balls around members spread over the ranking), {} sureties among them",
                sub.len(),
                n,
                edges.len()
            )
        } else {
            format!("Trust graph: {} members, {} sureties", n, edges.len())
        };
        Ok(Drawing {
            pos,
            trust,
            status,
            edges,
            title,
        })
    }

    fn screen(&self, i: usize) -> (f64, f64) {
        let (x, y) = self.pos[i];
        let span = SIZE as f64 - 2.0 * MARGIN;
        (MARGIN + x * span, MARGIN + y * span)
    }

    /// Render as SVG (with title and legend).
    pub fn svg(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" font-family="sans-serif">"#
        );
        let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="10" y="20" font-size="14">{}</text>"#,
            xml_escape(&self.title)
        );
        let _ = writeln!(
            s,
            r##"<g stroke="#555" stroke-opacity="0.15" stroke-width="0.5">"##
        );
        for &(a, b) in &self.edges {
            let (x1, y1) = self.screen(a as usize);
            let (x2, y2) = self.screen(b as usize);
            let _ = writeln!(
                s,
                r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"/>"#
            );
        }
        let _ = writeln!(s, "</g>");
        for i in 0..self.pos.len() {
            let (x, y) = self.screen(i);
            let [r, g, b] = colour(self.trust[i], self.status[i]);
            let ring = if self.status[i] == Status::Seed {
                r#" stroke="black" stroke-width="1.5""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="rgb({r},{g},{b})"{ring}/>"#
            );
        }
        legend_svg(&mut s, SIZE as f64 - 230.0, SIZE as f64 - 30.0);
        s.push_str("</svg>\n");
        s
    }

    /// Render as PNG (no text: the legend is the colour bar bottom right,
    /// red = trust ≤ 0.01, green = trust ≥ 1).
    pub fn png(&self) -> Result<Vec<u8>, AuditError> {
        let mut img = Raster::new(SIZE, SIZE);
        for &(a, b) in &self.edges {
            let (x1, y1) = self.screen(a as usize);
            let (x2, y2) = self.screen(b as usize);
            img.line(x1, y1, x2, y2, [85, 85, 85], 0.12);
        }
        for i in 0..self.pos.len() {
            let (x, y) = self.screen(i);
            if self.status[i] == Status::Seed {
                img.disc(x, y, 4.5, [0, 0, 0]);
            }
            img.disc(x, y, 3.0, colour(self.trust[i], self.status[i]));
        }
        for k in 0..200 {
            let t = 10f64.powf(-2.0 + 2.0 * k as f64 / 199.0);
            let c = colour(t, Status::Trusted);
            for y in SIZE - 30..SIZE - 15 {
                img.set(SIZE - 230 + k, y, c, 1.0);
            }
        }
        img.encode()
    }
}

/// At most `max` members to draw: everyone if the graph is small enough;
/// otherwise breadth-first balls grown in turn from `max/50` starting
/// members spread evenly over the ranking, so every trust level is shown
/// together with the sureties around it.
fn sample(g: &TrustGraph, report: &AuditReport, max: usize) -> Vec<u32> {
    let n = g.len();
    if n <= max {
        return (0..n as u32).collect();
    }
    let starts = (max / 50).clamp(1, n);
    let stride = n.div_ceil(starts);
    let mut taken = vec![false; n];
    let mut chosen = Vec::with_capacity(max);
    let mut queues: Vec<std::collections::VecDeque<u32>> = report
        .ranking
        .iter()
        .step_by(stride)
        .filter_map(|m| g.index_of(&m.id))
        .map(|v| std::collections::VecDeque::from([v]))
        .collect();
    while chosen.len() < max && queues.iter().any(|q| !q.is_empty()) {
        for q in queues.iter_mut() {
            while let Some(v) = q.pop_front() {
                if taken[v as usize] {
                    continue;
                }
                taken[v as usize] = true;
                chosen.push(v);
                q.extend(g.neighbours(v).iter().filter(|&&w| !taken[w as usize]));
                break;
            }
            if chosen.len() == max {
                break;
            }
        }
    }
    chosen
}

fn legend_svg(s: &mut String, x: f64, y: f64) {
    let _ = writeln!(
        s,
        r#"<defs><linearGradient id="trust"><stop offset="0" stop-color="rgb(215,48,39)"/><stop offset="0.5" stop-color="rgb(254,224,139)"/><stop offset="1" stop-color="rgb(26,152,80)"/></linearGradient></defs>"#
    );
    let _ = writeln!(
        s,
        r#"<rect x="{x}" y="{y}" width="200" height="12" fill="url(#trust)"/>"#
    );
    let _ = writeln!(
        s,
        r#"<text x="{x}" y="{:.0}" font-size="11">trust ≤ 0.01</text><text x="{:.0}" y="{:.0}" font-size="11" text-anchor="end">≥ 1 (typical trusted)</text>"#,
        y - 4.0,
        x + 200.0,
        y - 4.0
    );
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Fruchterman–Reingold layout of `n` members in the unit square.
pub fn layout(n: usize, edges: &[(u32, u32)], iters: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut pos: Vec<(f64, f64)> = (0..n).map(|_| (rng.gen(), rng.gen())).collect();
    if n < 2 {
        return vec![(0.5, 0.5); n];
    }
    let k = (1.0 / n as f64).sqrt();
    let mut temp = 0.1;
    for _ in 0..iters {
        let mut disp: Vec<(f64, f64)> = pos
            .par_iter()
            .enumerate()
            .map(|(i, &(xi, yi))| {
                let (mut dx, mut dy) = (0.0, 0.0);
                for (j, &(xj, yj)) in pos.iter().enumerate() {
                    if i != j {
                        let (ex, ey) = (xi - xj, yi - yj);
                        let d2 = (ex * ex + ey * ey).max(1e-9);
                        let f = k * k / d2; // (k²/d) along the unit vector = k²·e/d²
                        dx += ex * f;
                        dy += ey * f;
                    }
                }
                (dx, dy)
            })
            .collect();
        for &(a, b) in edges {
            let (a, b) = (a as usize, b as usize);
            let (ex, ey) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (ex * ex + ey * ey).sqrt().max(1e-9);
            let f = d / k; // (d²/k) along the unit vector = e·d/k
            disp[a].0 -= ex * f;
            disp[a].1 -= ey * f;
            disp[b].0 += ex * f;
            disp[b].1 += ey * f;
        }
        for (p, &(dx, dy)) in pos.iter_mut().zip(&disp) {
            let len = (dx * dx + dy * dy).sqrt().max(1e-12);
            let step = len.min(temp);
            p.0 += dx / len * step;
            p.1 += dy / len * step;
        }
        temp *= 0.97;
    }
    // Normalise into the unit square.
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in &pos {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let span = (x1 - x0).max(y1 - y0).max(1e-12);
    pos.iter()
        .map(|&(x, y)| ((x - x0) / span, (y - y0) / span))
        .collect()
}

/// Bins of the histogram: `log₁₀ trust` from −4 to +1 in steps of 0.1.
const BINS: usize = 50;

fn histogram(report: &AuditReport) -> (Vec<[usize; 2]>, usize) {
    let mut bins = vec![[0usize; 2]; BINS];
    let mut zero = 0;
    for m in &report.ranking {
        if m.trust <= 0.0 {
            zero += 1;
            continue;
        }
        let b = (((m.trust.log10() + 4.0) * 10.0).floor().max(0.0) as usize).min(BINS - 1);
        let col = usize::from(m.status == Status::Suspected);
        bins[b][col] += 1;
    }
    (bins, zero)
}

const HIST_W: usize = 800;
const HIST_H: usize = 400;

/// The trust histogram as SVG: members per bin of `log₁₀ trust`, trusted
/// side green, suspected red, with the count of zero-trust members.
pub fn histogram_svg(report: &AuditReport) -> String {
    let (bins, zero) = histogram(report);
    let max = bins.iter().map(|b| b[0] + b[1]).max().unwrap_or(1).max(1);
    let (left, bottom, plot_w, plot_h) = (60.0, HIST_H as f64 - 50.0, 720.0, 300.0);
    let bw = plot_w / BINS as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{HIST_W}" height="{HIST_H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="25" font-size="14">Trust of {} members ({} with trust 0, unreachable, not shown); red = suspected</text>"#,
        report.members, zero
    );
    for (i, b) in bins.iter().enumerate() {
        let x = left + i as f64 * bw;
        let mut y = bottom;
        for (col, fill) in [(0, "rgb(26,152,80)"), (1, "rgb(215,48,39)")] {
            let h = b[col] as f64 / max as f64 * plot_h;
            if h > 0.0 {
                y -= h;
                let _ = writeln!(
                    s,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{fill}"/>"#,
                    bw - 1.0
                );
            }
        }
    }
    let _ = writeln!(
        s,
        r#"<line x1="{left}" y1="{bottom}" x2="{:.0}" y2="{bottom}" stroke="black"/>"#,
        left + plot_w
    );
    for e in -4..=1 {
        let x = left + (e + 4) as f64 * 10.0 * bw;
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{:.0}" text-anchor="middle">1e{e}</text>"#,
            bottom + 18.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.0}" y="{:.0}" text-anchor="middle">trust (relative to the trusted side's median member, log scale)</text>"#,
        left + plot_w / 2.0,
        bottom + 40.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.0}" y="{:.0}" text-anchor="end">{max}</text>"#,
        left - 5.0,
        bottom - plot_h + 4.0
    );
    s.push_str("</svg>\n");
    s
}

/// The trust histogram as PNG (bars only; see [`histogram_svg`] for labels).
pub fn histogram_png(report: &AuditReport) -> Result<Vec<u8>, AuditError> {
    let (bins, _) = histogram(report);
    let max = bins.iter().map(|b| b[0] + b[1]).max().unwrap_or(1).max(1);
    let mut img = Raster::new(HIST_W, HIST_H);
    let (left, bottom, plot_h) = (60usize, HIST_H - 50, 300.0);
    let bw = 720 / BINS;
    for (i, b) in bins.iter().enumerate() {
        let mut y = bottom;
        for (col, c) in [(0, [26, 152, 80]), (1, [215, 48, 39])] {
            let h = (b[col] as f64 / max as f64 * plot_h).round() as usize;
            for yy in y.saturating_sub(h)..y {
                for xx in left + i * bw..left + (i + 1) * bw - 1 {
                    img.set(xx, yy, c, 1.0);
                }
            }
            y = y.saturating_sub(h);
        }
    }
    for xx in left..left + 720 {
        img.set(xx, bottom, [0, 0, 0], 1.0);
    }
    for e in 0..=5 {
        for yy in bottom..bottom + 6 {
            img.set(left + e * 10 * bw, yy, [0, 0, 0], 1.0);
        }
    }
    img.encode()
}

/// An RGB raster with alpha blending.
struct Raster {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Raster {
    fn new(w: usize, h: usize) -> Self {
        Raster {
            w,
            h,
            px: vec![255; w * h * 3],
        }
    }

    fn set(&mut self, x: usize, y: usize, c: [u8; 3], alpha: f64) {
        if x >= self.w || y >= self.h {
            return;
        }
        let i = (y * self.w + x) * 3;
        for (p, &c) in self.px[i..i + 3].iter_mut().zip(&c) {
            let old = *p as f64;
            *p = (old + (c as f64 - old) * alpha).round() as u8;
        }
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, c: [u8; 3], alpha: f64) {
        let steps = (x2 - x1).abs().max((y2 - y1).abs()).ceil().max(1.0) as usize;
        for s in 0..=steps {
            let t = s as f64 / steps as f64;
            let (x, y) = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t);
            if x >= 0.0 && y >= 0.0 {
                self.set(x as usize, y as usize, c, alpha);
            }
        }
    }

    fn disc(&mut self, cx: f64, cy: f64, r: f64, c: [u8; 3]) {
        let (x0, x1) = ((cx - r).floor().max(0.0) as usize, (cx + r).ceil() as usize);
        let (y0, y1) = ((cy - r).floor().max(0.0) as usize, (cy + r).ceil() as usize);
        for y in y0..=y1 {
            for x in x0..=x1 {
                let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
                if dx * dx + dy * dy <= r * r {
                    self.set(x, y, c, 1.0);
                }
            }
        }
    }

    fn encode(&self) -> Result<Vec<u8>, AuditError> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.w as u32, self.h as u32);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc
                .write_header()
                .map_err(|e| AuditError::Png(e.to_string()))?;
            w.write_image_data(&self.px)
                .map_err(|e| AuditError::Png(e.to_string()))?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::synth::{generate, Params, Shape};
    use crate::audit::{audit, AuditParams};

    fn report() -> (TrustGraph, AuditReport) {
        let sc = generate(&Params {
            shape: Shape::ScaleFree { m: 3 },
            honest: 200,
            sybils: 60,
            sybil_degree: 10.0,
            attack_edges: 5,
            seeds: 5,
            rng_seed: 3,
        });
        let g = sc.graph();
        let r = audit(&g, &sc.seeds, &AuditParams::default(), &mut |_, _, _| {}).unwrap();
        (g, r)
    }

    #[test]
    fn drawing_renders_svg_and_png_and_samples_large_graphs() {
        let (g, r) = report();
        let d = Drawing::new(&g, &r, 1000).unwrap();
        let svg = d.svg();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<circle").count(), g.len());
        let png = d.png().unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let sampled = Drawing::new(&g, &r, 100).unwrap();
        assert_eq!(sampled.svg().matches("<circle").count(), 100);
        // balls, not scattered points: the sample keeps sureties among its members
        assert!(sampled.edges.len() >= 99, "{}", sampled.edges.len());
        assert!(sampled.svg().contains("sample of"));
        assert!(Drawing::new(&g, &r, 0).is_err());
    }

    #[test]
    fn layout_separates_a_barely_attached_clump() {
        let (g, r) = report();
        let d = Drawing::new(&g, &r, 1000).unwrap();
        let centre = |keep: &dyn Fn(usize) -> bool| {
            let (mut x, mut y, mut c) = (0.0, 0.0, 0.0);
            for i in (0..d.pos.len()).filter(|&i| keep(i)) {
                x += d.pos[i].0;
                y += d.pos[i].1;
                c += 1.0;
            }
            (x / c, y / c)
        };
        let sus = centre(&|i| d.status[i] == Status::Suspected);
        let ok = centre(&|i| d.status[i] != Status::Suspected);
        let dist = ((sus.0 - ok.0).powi(2) + (sus.1 - ok.1).powi(2)).sqrt();
        assert!(dist > 0.2, "suspected clump not separated: {dist}");
    }

    #[test]
    fn histograms_count_every_member() {
        let (_, r) = report();
        let (bins, zero) = histogram(&r);
        let total: usize = bins.iter().map(|b| b[0] + b[1]).sum::<usize>() + zero;
        assert_eq!(total, r.members);
        assert!(histogram_svg(&r).contains("<rect"));
        assert_eq!(&histogram_png(&r).unwrap()[1..4], b"PNG");
    }

    #[test]
    fn colours_run_red_to_green() {
        assert_eq!(colour(0.001, Status::Suspected), [215, 48, 39]);
        assert_eq!(colour(5.0, Status::Trusted), [26, 152, 80]);
        assert_eq!(colour(0.0, Status::Unreachable), [150, 150, 150]);
    }
}
