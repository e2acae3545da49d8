//! The tables: per server the median of the runs, the min–max, the ratio of ours to that
//! server, and PASS/MISS against the targets of issue #6.

/// Which direction of a metric is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Throughput, rates.
    Higher,
    /// Memory.
    Lower,
}

/// A target for `ours`.
#[derive(Clone, Debug)]
pub enum Goal {
    /// ours ÷ `peer` (medians) must be at least `min`.
    AtLeast {
        /// The peer's server name.
        peer: &'static str,
        /// Lowest acceptable ratio.
        min: f64,
    },
    /// Ours' median must be at most `max` (in the table's unit).
    AtMost {
        /// Highest acceptable value.
        max: f64,
    },
    /// `server` ÷ ours (medians) must be at least `min` (the Fluid echo server against the
    /// native one it is built on).
    ShareOfOurs {
        /// The server compared with ours.
        server: &'static str,
        /// Lowest acceptable ratio.
        min: f64,
    },
    /// `server`'s median must be at least `min` (in the table's unit): a figure measured once
    /// elsewhere (Parasol's own, on this machine class), so a rough target.
    ServerAtLeast {
        /// The server judged.
        server: &'static str,
        /// Lowest acceptable value.
        min: f64,
    },
    /// ours ÷ `peer` (medians) of the extra column named `column` must be at most `max`.
    ExtraAtMost {
        /// The extra column's name.
        column: &'static str,
        /// The peer's server name.
        peer: &'static str,
        /// Highest acceptable ratio.
        max: f64,
    },
}

/// One server's runs.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// Server name.
    pub server: String,
    /// The main metric, one value per run.
    pub values: Vec<f64>,
    /// Extra metrics (the table's `extras` columns), one value per run each.
    pub extras: Vec<Vec<f64>>,
    /// The first failure, if any run failed.
    pub error: Option<String>,
}

/// The table of one workload.
#[derive(Clone, Debug)]
pub struct Table {
    /// Workload id and description.
    pub title: String,
    /// Unit of the main metric.
    pub unit: &'static str,
    /// Direction of the main metric.
    pub better: Better,
    /// Names of the extra columns (medians are shown).
    pub extras: Vec<&'static str>,
    /// One row per server; the row named `ours` is the one compared.
    pub rows: Vec<Row>,
    /// Targets for ours.
    pub goals: Vec<Goal>,
    /// Lines printed under the table.
    pub notes: Vec<String>,
}

/// A target checked: what, and whether it passed.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Human-readable target, e.g. `W1 ours ÷ mio ≥ 0.95 (0.97)`.
    pub what: String,
    /// PASS or MISS.
    pub pass: bool,
}

/// Median of `v` (mean of the two middle values for an even count); NaN when empty.
pub fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

/// A number with a precision that suits its size.
pub fn num(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

impl Table {
    fn row(&self, server: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.server == server)
    }

    fn med(&self, server: &str) -> Option<f64> {
        self.row(server)
            .filter(|r| r.error.is_none() && !r.values.is_empty())
            .map(|r| median(&r.values))
    }

    /// Prints the table; with `judge`, checks the goals and returns the verdicts.
    pub fn print(&self, judge: bool) -> Vec<Verdict> {
        let ours = self.med("ours");
        let compare = ours.is_some() && self.rows.len() > 1;
        let ratio_head = match self.better {
            Better::Higher => "ours ÷ server (higher = ours faster)",
            Better::Lower => "ours ÷ server (lower is better: < 1 = ours uses less)",
        };
        let mut head = vec!["server".to_string(), format!("median {}", self.unit)];
        head.push("min–max".into());
        head.extend(self.extras.iter().map(|e| format!("{e} (median)")));
        if compare {
            head.push(ratio_head.into());
        }
        if judge && !self.goals.is_empty() {
            head.push("target".into());
        }
        let target_col = (judge && !self.goals.is_empty()).then(|| head.len() - 1);
        let mut lines = vec![head];
        let mut verdicts = Vec::new();
        let mut failures = Vec::new();
        for r in &self.rows {
            let mut line = vec![r.server.clone()];
            if let Some(e) = &r.error {
                line.push("FAILED".into());
                lines.push(line);
                failures.push(format!("{} FAILED: {e}", r.server));
                continue;
            }
            let min = r.values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = r.values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let med = median(&r.values);
            line.push(num(med));
            line.push(format!("{}–{}", num(min), num(max)));
            for x in &r.extras {
                line.push(num(median(x)));
            }
            if let (true, Some(o)) = (compare, ours) {
                line.push(if r.server == "ours" {
                    "—".into()
                } else {
                    format!("{:.3}×", o / med)
                });
            }
            if target_col.is_some() {
                let mut cell = Vec::new();
                for g in &self.goals {
                    match (g, ours) {
                        (Goal::AtLeast { peer, min }, Some(o)) if *peer == r.server => {
                            let ratio = o / med;
                            let pass = ratio >= *min;
                            cell.push(format!("≥ {min:.2}× {}", pf(pass)));
                            verdicts.push(Verdict {
                                what: format!(
                                    "{}: ours ÷ {peer} = {ratio:.3}× (target ≥ {min:.2}×)",
                                    self.id()
                                ),
                                pass,
                            });
                        }
                        (Goal::AtMost { max }, Some(o)) if r.server == "ours" => {
                            let pass = o <= *max;
                            cell.push(format!("≤ {} {} {}", num(*max), self.unit, pf(pass)));
                            verdicts.push(Verdict {
                                what: format!(
                                    "{}: ours = {} {} (target ≤ {})",
                                    self.id(),
                                    num(o),
                                    self.unit,
                                    num(*max)
                                ),
                                pass,
                            });
                        }
                        (Goal::ShareOfOurs { server, min }, Some(o)) if *server == r.server => {
                            let ratio = med / o;
                            let pass = ratio >= *min;
                            cell.push(format!("≥ {min:.2}× ours {}", pf(pass)));
                            verdicts.push(Verdict {
                                what: format!(
                                    "{}: {server} ÷ ours = {ratio:.3}× (target ≥ {min:.2}×)",
                                    self.id()
                                ),
                                pass,
                            });
                        }
                        (Goal::ServerAtLeast { server, min }, _) if *server == r.server => {
                            let pass = med >= *min;
                            cell.push(format!("≥ {} {} {}", num(*min), self.unit, pf(pass)));
                            verdicts.push(Verdict {
                                what: format!(
                                    "{}: {server} = {} {} (target ≥ {})",
                                    self.id(),
                                    num(med),
                                    self.unit,
                                    num(*min)
                                ),
                                pass,
                            });
                        }
                        (Goal::ExtraAtMost { column, peer, max }, Some(_)) if *peer == r.server => {
                            let Some(ratio) = self.extra_ratio(column, peer) else {
                                continue;
                            };
                            let pass = ratio <= *max;
                            cell.push(format!("{column} ≤ {max:.2}× {}", pf(pass)));
                            verdicts.push(Verdict {
                                what: format!(
                                    "{}: {column}, ours ÷ {peer} = {ratio:.3}× (target ≤ {max:.2}×)",
                                    self.id()
                                ),
                                pass,
                            });
                        }
                        _ => {}
                    }
                }
                line.push(cell.join(", "));
            }
            lines.push(line);
        }
        if judge && ours.is_none() {
            for g in &self.goals {
                verdicts.push(Verdict {
                    what: format!("{}: ours failed, {g:?} not measured", self.id()),
                    pass: false,
                });
            }
        }
        println!("\n{}", self.title);
        print_aligned(&lines, target_col);
        for f in &failures {
            println!("  {f}");
        }
        for n in &self.notes {
            println!("  note: {n}");
        }
        verdicts
    }

    /// ours ÷ `peer` of the medians of the extra column `column`.
    fn extra_ratio(&self, column: &str, peer: &str) -> Option<f64> {
        let c = self.extras.iter().position(|e| *e == column)?;
        let med = |server: &str| {
            self.row(server)
                .filter(|r| r.error.is_none())
                .and_then(|r| r.extras.get(c))
                .map(|v| median(v))
        };
        Some(med("ours")? / med(peer)?)
    }

    fn id(&self) -> &str {
        self.title.split_whitespace().next().unwrap_or("")
    }
}

fn pf(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

/// Prints `lines` as columns: names and the target column left-aligned, numbers right-aligned.
fn print_aligned(lines: &[Vec<String>], left: Option<usize>) {
    let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            lines
                .iter()
                .filter_map(|l| l.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for l in lines {
        let mut out = String::from("  ");
        for (c, cell) in l.iter().enumerate() {
            let pad = width[c].saturating_sub(cell.chars().count());
            if c == 0 || Some(c) == left {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
            out.push_str("  ");
        }
        println!("{}", out.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }
}
