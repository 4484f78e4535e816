package main

// routingZone is the DNS data of the appendix: a small mail setup
// with the cases a mail router and an iprev check meet in practice.
const routingZone = `
$ORIGIN example.org.
@        300 IN SOA  ns1 hostmaster 1 3600 600 86400 300
@            IN MX   10 mx1
@            IN MX   20 mx2
@            IN MX   20 mx3
mx1          IN A    192.0.2.1
mx1          IN AAAA 2001:db8::1
mx2          IN A    192.0.2.2
mx3          IN A    192.0.2.3
shop         IN A    192.0.2.80
nomail       IN MX   0 .
mixed        IN MX   0 .
mixed        IN MX   10 mx1
literal      IN MX   10 192.0.2.9.
literal      IN MX   20 mx2
xn--bcher-kva IN MX  10 mx1
mxless       IN TXT  "v=spf1 -all"

$ORIGIN 2.0.192.in-addr.arpa.
@        300 IN SOA  ns1.example.org. hostmaster.example.org. 1 3600 600 86400 300
1            IN PTR  mx1.example.org.
2            IN PTR  mx2.example.org.
3            IN PTR  elsewhere.example.org.
80           IN PTR  gone.example.org.
80           IN PTR  shop.example.org.

; 2001:db8::1, nibble by nibble
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. IN PTR mx1.example.org.
`
