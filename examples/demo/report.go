package main

import (
	"context"
	"fmt"
	"time"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/dmarc/report"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
)

// evening: Bob's MX writes the day's DMARC aggregate report for example.org.
func (w *world) evening(ctx context.Context, n *narrator, begin time.Time) {
	n.scene("23:59", "Bob's server reports back to example.org")
	n.say("Once a day a receiver sends each domain's owner an aggregate report (RFC 9990): from which addresses mail in its name arrived, and whether it passed. This is how Alice's company would learn that someone is spoofing it.")
	b := &report.Builder{OrgName: "example.com", Email: "dmarc-noreply@example.com", ReportID: "demo-1",
		Generator: "mailsmith demo", Begin: begin, End: time.Now()}
	var policyDomain string
	var rec *dmarc.Record
	for _, ev := range w.allEvents()[demozone.ReceiverMX] {
		c := ev.Message.Checks
		if c == nil || c.DMARC.FromDomain != demozone.SenderDomain || c.DMARC.Record == nil {
			continue
		}
		policyDomain, rec = c.DMARC.PolicyDomain, c.DMARC.Record
		m := report.NewMessage(c.DMARC, ev.Message.RemoteIP)
		m.EnvelopeFrom = mailmsg.Domain(ev.Message.From)
		m.EnvelopeTo = demozone.ReceiverDomain
		m.SPF = &report.SPFResult{Domain: c.SPFDomain, Scope: "mfrom", Result: string(c.SPF.Result)}
		for _, v := range c.DKIM {
			m.DKIM = append(m.DKIM, report.DKIMResult{Domain: v.Domain, Selector: v.Selector, Result: string(v.Result)})
		}
		if o := c.Override; o != nil {
			// Accepted on a trusted sealer's ARC results: the disposition
			// applied is none, and the report says why (RFC 9990 §2.1.14).
			m.Disposition = "none"
			m.Reasons = append(m.Reasons, report.Reason{Type: "local_policy",
				Comment: fmt.Sprintf("arc=pass as.%d.d=%s (%s)", o.Instance, o.Sealer, o.Result)})
		}
		b.Add(m)
	}
	if rec == nil {
		n.fail("no message from example.org was checked today")
		return
	}
	b.SetPolicy(policyDomain, rec, dmarc.TreeWalk)
	fb, err := b.Feedback()
	if !n.expect(err == nil, "report built and validated against RFC 9990") {
		n.say("%v", err)
		return
	}
	n.expect(fb.MessageCount() == 7, "%d messages today claimed to be from example.org:", fb.MessageCount())
	overridden := 0
	for _, r := range fb.Records {
		pe := r.Row.PolicyEvaluated
		why := ""
		for _, reason := range pe.Reasons {
			why += "; override " + reason.Type + ": " + reason.Comment
			overridden += int(r.Row.Count)
		}
		n.say("%d from %s with envelope domain %s: aligned DKIM %s, aligned SPF %s; disposition %s%s",
			r.Row.Count, r.Row.SourceIP, r.Identifiers.EnvelopeFrom, pe.DKIM, pe.SPF, pe.Disposition, why)
	}
	n.expect(overridden == 1, "%d DMARC failure reported as accepted under local policy (the list's ARC results)", overridden)
	xml, err := fb.Marshal()
	if !n.expect(err == nil, "%s, %d bytes of XML", report.Filename("example.com", policyDomain, b.Begin, b.End, "", true), len(xml)) {
		return
	}
	c := &dmarc.Checker{Resolver: w.res}
	for _, u := range rec.AggregateReportURIs {
		org, _ := c.OrganizationalDomain(ctx, u.Host())
		if org == demozone.SenderDomain {
			n.expect(true, "to be sent to %s (example.org's own address)", u.URI)
			continue
		}
		ok, err := c.VerifyExternalDestination(ctx, policyDomain, u.Host())
		n.expect(ok && err == nil, "to be sent to %s: %s agreed in DNS (%s._report._dmarc.%s)", u.URI, u.Host(), policyDomain, u.Host())
	}
}
