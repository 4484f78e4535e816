// Package authcheck runs the checks a receiving MX makes on a message
// (iprev, SPF, DKIM, ARC, DMARC) with the suite's packages, decides what to
// do with the message, and gives the Authentication-Results field (RFC
// 8601, built with package authres) and the Received-SPF field (RFC 7208
// §9.1) that record the outcome.
//
// ARC (RFC 8617) is validated for every message and reported as "arc=" in
// Authentication-Results. It changes the decision only where the MX was
// told to trust named sealers (Checker.TrustARC, the local policy of RFC
// 8617 §7.2): a DMARC failure is then accepted when the chain passes and
// the newest set of a trusted sealer whose ARC-Message-Signature still
// verifies says that DMARC (or DKIM for the From domain itself) passed
// when the message reached that sealer. The rule is spelled out at
// arcOverride.
package authcheck
