//! Removing what kube-proxy and Calico put into iptables and ip6tables — their own chains
//! (`KUBE-*`, `cali-*`) and the rules in the built-in chains that jump to them — and nothing
//! else: the host's own firewall rules stay (Kubespray flushes everything; dsinstall does not).

use super::common;
use crate::io::child::Command;
use crate::run::step::StepCx;

const TABLES: &[&str] = &["filter", "nat", "mangle", "raw"];

/// Whether a chain is kube-proxy's or Calico's.
pub fn ours(chain: &str) -> bool {
    chain.starts_with("KUBE-") || chain.starts_with("cali-")
}

/// From `iptables -t T -S` output: the rules of other chains that jump to ours (as `-A ...`
/// argument lists), and our chains.
pub fn plan_removal(listing: &str) -> (Vec<Vec<String>>, Vec<String>) {
    let mut jumps = Vec::new();
    let mut chains = Vec::new();
    for l in listing.lines() {
        let w: Vec<String> = l.split_whitespace().map(str::to_string).collect();
        match w.first().map(String::as_str) {
            Some("-N") if w.len() > 1 && ours(&w[1]) => chains.push(w[1].clone()),
            Some("-A") if w.len() > 1 && !ours(&w[1]) => {
                let target = w
                    .iter()
                    .position(|x| x == "-j" || x == "-g")
                    .and_then(|i| w.get(i + 1));
                if target.is_some_and(|t| ours(t)) {
                    jumps.push(w[1..].to_vec());
                }
            }
            _ => {}
        }
    }
    (jumps, chains)
}

/// Remove our chains from every table of iptables and ip6tables; a missing tool or table is
/// skipped with a line.
pub fn remove_chains(cx: &mut dyn StepCx) {
    for tool in ["iptables", "ip6tables"] {
        let prog = cx.tool(tool);
        for t in TABLES {
            let list = Command::new(&prog)
                .args(["-t", t, "-S"])
                .timeout(common::QUICK);
            let Some((true, out)) = common::capture(&list) else {
                continue;
            };
            let (jumps, chains) = plan_removal(&out);
            if jumps.is_empty() && chains.is_empty() {
                continue;
            }
            cx.say(&format!(
                "{tool} -t {t}: removing {} jump rules and {} chains (KUBE-*, cali-*)",
                jumps.len(),
                chains.len()
            ));
            for j in jumps {
                let c = Command::new(&prog)
                    .args(["-t", t, "-D"])
                    .args(&j)
                    .timeout(common::QUICK);
                let _ = cx.run(c);
            }
            for flag in ["-F", "-X"] {
                for ch in &chains {
                    let c = Command::new(&prog)
                        .args(["-t", t, flag, ch])
                        .timeout(common::QUICK);
                    let _ = cx.run(c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kube_and_calico_rules_are_removed() {
        let s = "-P INPUT ACCEPT\n-N KUBE-SERVICES\n-N cali-INPUT\n-N MYFW\n-A INPUT -j KUBE-SERVICES\n-A INPUT -m comment --comment \"cali:x\" -j cali-INPUT\n-A INPUT -j MYFW\n-A KUBE-SERVICES -j RETURN\n-A MYFW -p tcp --dport 22 -j ACCEPT\n";
        let (j, c) = plan_removal(s);
        assert_eq!(c, ["KUBE-SERVICES", "cali-INPUT"]);
        assert_eq!(j.len(), 2);
        assert_eq!(j[0], ["INPUT", "-j", "KUBE-SERVICES"]);
    }
}
