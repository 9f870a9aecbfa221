/**
 * Address ranges the network rules judge egress against: the cloud metadata endpoints an agent must never reach,
 * the private ranges, and what counts as the public address space. Pure data with its sources.
 *
 * NetworkPolicy cannot name a DNS name, so names such as GCP's `metadata.google.internal`, Tencent's
 * `metadata.tencentyun.com` or IBM's `api.metadata.cloud.ibm.com` matter here only through the addresses they
 * resolve to, all listed below.
 */

export interface Endpoint {
  readonly name: string;
  readonly cidr: string;
}

/**
 * Metadata services hand out node and workload credentials. Sources:
 * - AWS EC2 IMDS 169.254.169.254 and fd00:ec2::254 (IPv6 on Nitro), Time Sync fd00:ec2::123, DNS fd00:ec2::253:
 *   docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html; ECS task metadata and
 *   credentials 169.254.170.2: docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html;
 *   EKS Pod Identity agent 169.254.170.23 and fd00:ec2::23: docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html
 * - GCP 169.254.169.254 (metadata.google.internal) and fd20:ce::254 for IPv6-only instances; the GKE metadata
 *   server on nodes 169.254.169.252: cloud.google.com/compute/docs/metadata/querying-metadata
 * - Azure IMDS 169.254.169.254 and the WireServer 168.63.129.16: learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16
 * - Alibaba Cloud ECS 100.100.100.200: alibabacloud.com/help/ecs/user-guide/view-instance-metadata
 * - Oracle Cloud IMDS 169.254.169.254 and 192.0.0.192: docs.oracle.com/iaas/Content/Compute/Tasks/gettingmetadata.htm
 * - Tencent Cloud 169.254.0.23 (metadata.tencentyun.com): tencentcloud.com/document/product/213/4934
 * - OpenStack 169.254.169.254 and fe80::a9fe:a9fe: docs.openstack.org/nova/latest/user/metadata.html
 * - DigitalOcean, Hetzner Cloud, Linode/Akamai, Vultr, IBM Cloud VPC, Exoscale: 169.254.169.254; Scaleway
 *   169.254.42.42: each provider's metadata documentation.
 * - Generally all of IPv4 link-local 169.254.0.0/16 (RFC 3927) and IPv6 link-local fe80::/10 (RFC 4291): node-local
 *   agents (kubelet-adjacent DNS caches, metadata proxies, pod identity agents) listen there.
 * Each IPv4 endpoint can also be spelled as IPv4-mapped IPv6 (::ffff:0:0/96, RFC 4291) and, where NAT64 runs, is
 * reachable through the well-known NAT64 prefix 64:ff9b::/96 (RFC 6052); `addrset.ts` maps both onto IPv4.
 */
export const METADATA_ENDPOINTS: readonly Endpoint[] = [
  {
    name: "IPv4 link-local (AWS, GCP, Azure, Oracle, OpenStack, DigitalOcean, Hetzner, Tencent, Scaleway metadata)",
    cidr: "169.254.0.0/16",
  },
  { name: "Azure WireServer", cidr: "168.63.129.16/32" },
  { name: "Alibaba Cloud metadata", cidr: "100.100.100.200/32" },
  { name: "Oracle Cloud metadata", cidr: "192.0.0.192/32" },
  { name: "AWS IPv6 metadata (IMDS, Pod Identity, DNS, time)", cidr: "fd00:ec2::/32" },
  { name: "GCP IPv6 metadata", cidr: "fd20:ce::254/128" },
  { name: "IPv6 link-local (OpenStack fe80::a9fe:a9fe)", cidr: "fe80::/10" },
];

/** Private ranges a broad destination must not take wholesale (RFC 1918, RFC 6598 shared space, RFC 4193 ULA). */
export const PRIVATE_RANGES: readonly Endpoint[] = [
  { name: "RFC 1918 10/8", cidr: "10.0.0.0/8" },
  { name: "RFC 1918 172.16/12", cidr: "172.16.0.0/12" },
  { name: "RFC 1918 192.168/16", cidr: "192.168.0.0/16" },
  { name: "RFC 6598 shared address space (CGNAT, some pod networks)", cidr: "100.64.0.0/10" },
  { name: "RFC 4193 unique local IPv6", cidr: "fc00::/7" },
];

/**
 * IPv4 that is not public, from the IANA IPv4 Special-Purpose Address Registry (RFC 6890 and successors):
 * the public IPv4 space is everything else.
 */
export const NON_PUBLIC_IPV4: readonly string[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
];

/** The public IPv6 space: global unicast 2000::/3 (RFC 4291) minus documentation (RFC 3849, RFC 9637). */
export const PUBLIC_IPV6 = "2000::/3";
export const NON_PUBLIC_IPV6: readonly string[] = ["2001:db8::/32", "3fff::/20"];
