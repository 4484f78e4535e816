package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailsmith/mailsmith/spf"
)

// printReport writes r for people.
func printReport(w io.Writer, r *Report) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("%s", r.Domain)

	p("  MX")
	switch {
	case r.MX.NullMX:
		p("    null MX: accepts no mail")
	case r.MX.Error != "":
		p("    %s", r.MX.Error)
	}
	for _, h := range r.MX.Hosts {
		implicit := ""
		if r.MX.Implicit {
			implicit = " (implicit: no MX records)"
		}
		p("    %3d %s%s", h.Preference, h.Name, implicit)
		if h.Error != "" {
			p("        %s", h.Error)
		}
		for _, a := range h.Addrs {
			names := ""
			if len(a.Names) > 0 {
				names = " (" + strings.Join(a.Names, ", ") + ")"
			}
			p("        %-15s FCrDNS %s%s", a.IP, a.FCrDNS, names)
		}
	}

	p("  SPF")
	if r.SPF.Record == "" {
		p("    none")
	} else {
		p("    %s", r.SPF.Record)
		atLeast := ""
		if r.SPF.Incomplete {
			atLeast = "at least "
		}
		p("    %s%d of %d DNS lookups%s", atLeast, r.SPF.Lookups, spf.DefaultMaxLookups, includes(r.SPF.Includes))
	}

	p("  DMARC")
	d := r.DMARC
	if d.Record == "" {
		p("    none")
	} else {
		p("    %s", d.Record)
		p("    published at _dmarc.%s; p=%s%s%s; adkim=%s aspf=%s", d.PolicyDomain, d.Policy,
			opt(" sp=", d.SubdomainPolicy), opt(" np=", d.NonExistentPolicy), d.Alignment.DKIM, d.Alignment.SPF)
		for _, dest := range d.Reports {
			note := "same organization"
			switch {
			case dest.External && dest.Authorized != nil && *dest.Authorized:
				note = "external, agreed"
			case dest.External && dest.Authorized != nil:
				note = "external, NOT agreed"
			case dest.External:
				note = "external, unknown"
			}
			p("    %s %s (%s)", dest.Tag, dest.URI, note)
		}
	}
	switch {
	case d.OrgDomain != "" && d.OrgDomainPSL != "":
		p("    organizational domain %s (tree walk), %s (public suffix list)", d.OrgDomain, d.OrgDomainPSL)
	case d.OrgDomainPSL != "":
		p("    organizational domain %s (public suffix list); the DNS tree walk failed", d.OrgDomainPSL)
	case d.OrgDomain != "":
		p("    organizational domain %s (tree walk)", d.OrgDomain)
	}

	if len(r.DKIM) > 0 {
		p("  DKIM")
		for _, k := range r.DKIM {
			switch {
			case !k.Found:
				p("    %-10s not found", k.Selector)
			case k.Error != "":
				p("    %-10s %s", k.Selector, k.Error)
			case k.Revoked:
				p("    %-10s revoked", k.Selector)
			default:
				p("    %-10s %s, %d bits%s", k.Selector, k.KeyType, k.Bits, opt(", ", map[bool]string{true: "testing"}[k.Testing]))
			}
		}
	}

	printDANE(p, r.DANE)

	if len(r.Findings) > 0 {
		p("  Findings")
		for _, f := range r.Findings {
			p("    %-7s %-5s %s", f.Level, f.Check, f.Message)
		}
	}
	if n := r.Errors(); n > 0 {
		p("  %d error(s)", n)
	} else {
		p("  no errors")
	}
}

// printDANE writes the DANE section: the MX RRset's DNSSEC status, then
// per host its status, TLSA records and probes.
func printDANE(p func(string, ...any), d DANEReport) {
	p("  DANE")
	switch {
	case d.Error != "":
		p("    %s", d.Error)
		return
	case !d.MXSecure:
		p("    MX records not DNSSEC-validated: DANE does not apply")
		return
	}
	p("    MX records DNSSEC-validated")
	for _, h := range d.Hosts {
		base := ""
		if h.BaseDomain != "" && h.BaseDomain != h.Name {
			base = " (TLSA base domain " + h.BaseDomain + ")"
		}
		p("    %s: %s%s", h.Name, h.Status, base)
		if h.Error != "" {
			p("        %s", h.Error)
		}
		for _, rec := range h.Records {
			p("        _25._tcp.%s. IN TLSA %s", h.BaseDomain, rec)
		}
		for _, pr := range h.Probes {
			switch {
			case pr.Match:
				p("        %s: STARTTLS, certificate matches %s", pr.Addr, pr.Record)
			case pr.STARTTLS:
				p("        %s: STARTTLS, certificate matches NO record: %s", pr.Addr, pr.Error)
			default:
				p("        %s: %s", pr.Addr, pr.Error)
			}
		}
	}
}

func includes(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return " (followed " + strings.Join(list, ", ") + ")"
}

func opt(prefix, value string) string {
	if value == "" {
		return ""
	}
	return prefix + value
}
