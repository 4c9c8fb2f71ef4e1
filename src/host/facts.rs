//! Host facts: what `dsinstall detect --json` prints (the README's `detect --json` shape; the field names
//! are a public contract) and what the wizard starts from.

use crate::message::{ArgCodes, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostFacts {
    pub hostname: String,
    /// What /etc/hosts maps the hostname to.
    #[serde(default)]
    pub hostname_addresses: Vec<String>,
    #[serde(default)]
    pub os_release: Option<String>,
    #[serde(default)]
    pub kernel: Option<String>,
    #[serde(default)]
    pub is_root: bool,
    pub interfaces: Vec<Interface>,
    pub default_routes: Vec<DefaultRoute>,
    pub sysctls: BTreeMap<String, String>,
    #[serde(default)]
    pub modules: BTreeMap<String, bool>,
    #[serde(default)]
    pub swap_on: bool,
    pub tools: BTreeMap<String, Option<Tool>>,
    #[serde(default)]
    pub cri_sockets: Vec<String>,
    /// The cgroup driver of the runtime behind the first CRI socket, from its configuration
    /// (`host::cgroup`); null when no runtime was found.
    #[serde(default)]
    pub cgroup_driver: Option<super::cgroup::RuntimeCgroup>,
    #[serde(default)]
    pub existing_cluster: Option<ExistingCluster>,
    pub suggested: Suggested,
    #[serde(default)]
    pub warnings: Vec<HostWarning>,
    /// Sysctls that were looked for and do not exist (the bridge ones before br_netfilter is
    /// loaded; every IPv6 one when the kernel boots with ipv6.disable=1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sysctls_missing: Vec<String>,
    /// What detection could not read (one line each); the rest of the facts still hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detection_errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interface {
    pub name: String,
    pub mac: Option<String>,
    pub up: bool,
    pub mtu: u32,
    /// ether, veth, bridge, vlan, bond, loopback, dummy, tun, other...
    pub kind: String,
    /// The bridge or bond this interface is enslaved to.
    #[serde(default)]
    pub master: Option<String>,
    pub addresses: Vec<Address>,
    /// The kernel's interface index.
    #[serde(default)]
    pub index: u32,
    /// Carrier present (IFF_LOWER_UP).
    #[serde(default)]
    pub lower_up: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub address: String,
    pub prefix: u8,
    /// "ipv4" or "ipv6".
    pub family: String,
    /// global, site, link, host.
    pub scope: String,
    /// The kernel's names: tentative, deprecated, dadfailed, noprefixroute, temporary,
    /// secondary, permanent, nodad.
    pub flags: Vec<String>,
    /// Seconds left before the address turns deprecated; absent means forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_lft: Option<u32>,
    /// Seconds left before the address is removed; absent means forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_lft: Option<u32>,
}

impl Address {
    pub fn has_flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x == f)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultRoute {
    pub family: String,
    pub interface: Option<String>,
    pub gateway: Option<String>,
    /// Who installed the route, by iproute2's name: kernel, boot, static, ra, dhcp, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    pub path: String,
    pub version: Option<String>,
    /// Why the tool at `path` is not usable (not executable, its version command failed or
    /// hung); absent when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// `problem` as a coded phrase (how the version command ended, `child.*` of
    /// `io::child::TEXTS`, or why the tool does not start, `tool.*` of `host::tools::TEXTS`),
    /// so a front end says it in its language; absent in files written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_code: Option<Message>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingCluster {
    /// Files that show a cluster was set up here (admin.conf, static pod manifests).
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggested {
    pub ipv6_interface: Option<String>,
    pub ipv6: Option<String>,
    pub ipv4_interface: Option<String>,
    pub ipv4: Option<String>,
    #[serde(default)]
    pub vip_candidates: Vec<String>,
    /// Why each suggestion was made, in the order above.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Each reason's findings by code (`reasons[N]` is the English of `reasonParts[N]`), for
    /// a front end in another language. Absent in facts detected before reasons had codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reason_parts: Vec<Vec<crate::message::Part>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostWarning {
    /// Stable id: no-global-ipv6, ipv6-disabled, forwarding-off, br-netfilter-missing,
    /// swap-on, existing-cluster, ...
    pub id: String,
    /// Blocks the install (the wizard shows it on the welcome screen).
    pub blocking: bool,
    pub message: String,
    /// The values interpolated into `message`, in order, so a front end can word it in
    /// another language (the wizard's `warning.<id>`); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The values that are coded phrases themselves (why a tool is not usable):
    /// `args[N]` is the English of `argCodes[N]`, `null` for plain data, as in a step's
    /// `diagnosis`. Absent when no value is coded (and in files written before it).
    #[serde(default, skip_serializing_if = "ArgCodes::is_empty")]
    pub arg_codes: ArgCodes,
}
