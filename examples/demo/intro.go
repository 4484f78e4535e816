package main

// intro is printed first: who is who, and the words the report uses.
const intro = `mailsmith demo: one day of mail between three domains, played on loopback.
Nothing here touches the network: DNS, mail servers and clients all run on
127.0.0.1 inside this program.

Who is who
  example.org    Alice's domain. Her server signs outgoing mail with DKIM, and
                 the domain publishes SPF and a strict DMARC policy (p=reject).
  example.com    Bob's domain. Its MX, mx.example.com, checks every message.
  example.net    A forwarding service: bob@example.net and carol@example.net
                 forward to bob@example.com and carol@example.com.
  phish.example  Mallory's domain. Mallory would like to be Alice.

The checks a receiving server makes
  iprev  Does the sending machine's address have a name in reverse DNS that
         points back to the same address? (RFC 8601) Spammers' machines often
         do not.
  SPF    The domain in the envelope sender (MAIL FROM) lists in DNS which
         addresses may send its mail. (RFC 7208)
  DKIM   The sending domain signs the message with a private key and publishes
         the public key in DNS; the receiver checks that the message was not
         changed on the way and who signed it. (RFC 6376, RFC 8463)
  DMARC  Ties both to the address people see, the From: header: SPF or DKIM
         must pass for that same domain. The domain's DMARC record says what
         to do with mail that fails: none, quarantine (junk) or reject.
         (RFC 9989)
  SRS    Forwarders rewrite the envelope sender into their own domain, so
         that SPF keeps working and bounces find their way back.

How sending servers keep mail away from eavesdroppers
  MTA-STS  The receiving domain publishes over HTTPS which mail servers it
           has and asks senders to use TLS with a valid certificate for
           them, or not to deliver at all. (RFC 8461)
  DANE     The receiving domain pins its servers' keys in DNSSEC-signed
           TLSA records; wins over MTA-STS where both exist. (RFC 7672)
  TLS-RPT  Senders report daily on the TLS sessions they made, so the
           domain learns when something goes wrong. (RFC 8460)
The results go into an Authentication-Results header (RFC 8601) that Bob's
mail program can show him.`
