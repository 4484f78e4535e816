// Package demozone is the DNS data of the offline demo: three example
// domains (RFC 2606 names, RFC 5737 and RFC 3849 documentation addresses)
// whose mail hosts all live on 127.0.0.1, served by internal/dnstest.
//
//   - example.org is Alice's domain, the careful sender: MX, SPF that
//     authorises its MX, DKIM keys (RSA and Ed25519, generated at start),
//     DMARC p=reject with aggregate reports to itself and to example.net,
//     which has agreed to receive them.
//   - example.com is Bob's domain, the receiver: its MX checks every message.
//     Its own records are sloppier (SPF with "ptr" and "~all", a report
//     address that never agreed), so the domain checker has something to say.
//   - example.net runs a forwarder that rewrites senders with SRS. Its zone
//     counts as DNSSEC-signed (Signed, DANEResolver) and publishes a DANE
//     TLSA record for its MX, made at start.
//   - phish.example belongs to Mallory, who spoofs Alice: his SPF passes for
//     his own domain, which is exactly what DMARC alignment is about.
//
// The demo and the mailcheck example (-demo) both use it.
package demozone
