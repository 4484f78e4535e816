package demozone

// Domain names the demo plays with.
const (
	SenderDomain    = "example.org"   // Alice
	ReceiverDomain  = "example.com"   // Bob
	ForwarderDomain = "example.net"   // the forwarder
	SpooferDomain   = "phish.example" // Mallory

	SenderMX    = "mail.example.org"
	ReceiverMX  = "mx.example.com"
	ForwarderMX = "mx.example.net"

	// ForwarderPublicIP is the address the forwarder would send from on
	// the Internet (RFC 5737), listed in example.net's SPF record.
	ForwarderPublicIP = "198.51.100.25"
)

// DKIM selectors published at start.
const (
	SelectorRSA     = "rsa2026"    // example.org, RSA 2048
	SelectorEd25519 = "ed2026"     // example.org, Ed25519
	SelectorBounce  = "bounce2026" // example.com, Ed25519, signs bounces
	SelectorARC     = "arc2026"    // example.net, RSA 2048, seals ARC sets (RFC 8617)
)

// Text is the static part of the demo zone: everything but the DKIM keys,
// which are generated at start.
const Text = `
$ORIGIN example.org.
$TTL 300
@        IN MX    10 mail
@        IN TXT   "v=spf1 mx ip4:192.0.2.0/24 ip6:2001:db8:1::/48 -all"
mail     IN A     127.0.0.1
mail     IN TXT   "v=spf1 a -all"
www      IN A     192.0.2.80
www      IN AAAA  2001:db8:1::80
_dmarc   IN TXT   "v=DMARC1; p=reject; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.org,mailto:dmarc@example.net"

$ORIGIN example.com.
@        IN MX    10 mx
@        IN TXT   "v=spf1 mx ptr ~all"
mx       IN A     127.0.0.1
mx       IN TXT   "v=spf1 a -all"
www      IN A     198.51.100.80
_dmarc   IN TXT   "v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.example"
nomail   IN MX    0 .
nomail   IN TXT   "v=spf1 -all"

$ORIGIN example.net.
@        IN MX    10 mx
@        IN TXT   "v=spf1 a:mx.example.net ip4:198.51.100.25 -all"
mx       IN A     127.0.0.1
mx       IN TXT   "v=spf1 a -all"
_dmarc   IN TXT   "v=DMARC1; p=none; rua=mailto:dmarc@example.net"
example.org._report._dmarc IN TXT "v=DMARC1"

$ORIGIN phish.example.
@        IN TXT   "v=spf1 ip4:127.0.0.1 -all"
@        IN A     127.0.0.1

$ORIGIN 0.0.127.in-addr.arpa.
1        IN PTR   mail.example.org.
1        IN PTR   mx.example.com.
1        IN PTR   mx.example.net.
`
