package tlsrpt

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Default limits of a zero Parser.
const (
	DefaultMaxBytes          = 16 << 20 // a report's JSON, and its gzip
	DefaultMaxDepth          = 16       // JSON nesting; a valid report needs 5
	DefaultMaxPolicies       = 10000
	DefaultMaxFailureDetails = 100000 // in all policies together
	DefaultMaxArrayLen       = 10000  // any other array (policy-string, mx-host, extensions)
	DefaultMaxMessageBytes   = 32 << 20
	DefaultMaxParts          = 100
	DefaultMaxMIMEDepth      = 5
)

// Parser reads reports with limits on everything a report's sender
// controls. Its zero value uses the Default limits above; ParseReport and
// ParseReportMessage use a zero Parser. Exceeding a limit stops the work
// at once with a *LimitError naming it (errors.Is(err, ErrLimit)).
type Parser struct {
	MaxBytes          int64 // JSON bytes, after and before gzip
	MaxDepth          int   // nesting of JSON objects and arrays
	MaxPolicies       int   // elements of "policies"
	MaxFailureDetails int   // elements of all "failure-details" arrays
	MaxArrayLen       int   // elements of any other JSON array
	MaxMessageBytes   int64 // a report email
	MaxParts          int   // MIME parts in a report email
	MaxMIMEDepth      int   // nesting of multiparts
}

func orDefault[T int | int64](v, d T) T {
	if v > 0 {
		return v
	}
	return d
}

// ParseReport reads a report as it arrives over HTTPS or as an email
// attachment: RFC 8460 §4 JSON, or its gzip (detected). See Parser.
func ParseReport(r io.Reader) (*Report, error) {
	var p Parser
	return p.ParseReport(r)
}

// ParseReport reads a report: JSON, or gzip of it (detected by its magic
// bytes). Errors wrap ErrReportSyntax or ErrLimit.
func (p *Parser) ParseReport(r io.Reader) (*Report, error) {
	max := orDefault(p.MaxBytes, DefaultMaxBytes)
	br := bufio.NewReader(r)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(&limitReader{r: br, n: max, limit: "MaxBytes"})
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %w", ErrReportSyntax, err)
		}
		src = zr
	}
	data, err := io.ReadAll(&limitReader{r: src, n: max, limit: "MaxBytes"})
	if err != nil {
		var le *LimitError
		if errors.As(err, &le) {
			return nil, le
		}
		return nil, fmt.Errorf("%w: reading: %w", ErrReportSyntax, err)
	}
	return p.parseJSON(data)
}

func (p *Parser) parseJSON(data []byte) (*Report, error) {
	if err := p.scan(data); err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrReportSyntax, err)
	}
	if err := rep.check(); err != nil {
		return nil, err
	}
	return &rep, nil
}

// check applies the rules of RFC 8460 §4.4 that JSON decoding does not.
func (r *Report) check() error {
	switch {
	case r.ReportID == "":
		return fmt.Errorf("%w: missing report-id", ErrReportSyntax)
	case r.DateRange.Start.IsZero() || r.DateRange.End.IsZero():
		return fmt.Errorf("%w: missing date-range", ErrReportSyntax)
	case r.Policies == nil:
		return fmt.Errorf("%w: missing policies", ErrReportSyntax)
	}
	for i, pr := range r.Policies {
		if pr.Policy.Type == "" {
			return fmt.Errorf("%w: policies[%d]: missing policy-type", ErrReportSyntax, i)
		}
		if pr.Summary.TotalSuccessfulSessionCount < 0 || pr.Summary.TotalFailureSessionCount < 0 {
			return fmt.Errorf("%w: policies[%d]: negative session count", ErrReportSyntax, i)
		}
		for j, fd := range pr.FailureDetails {
			if fd.ResultType == "" {
				return fmt.Errorf("%w: policies[%d].failure-details[%d]: missing result-type", ErrReportSyntax, i, j)
			}
			if fd.FailedSessionCount < 0 {
				return fmt.Errorf("%w: policies[%d].failure-details[%d]: negative failed-session-count", ErrReportSyntax, i, j)
			}
		}
	}
	return nil
}

// limitReader reads at most n bytes and fails with a *LimitError when
// there is more.
type limitReader struct {
	r     io.Reader
	n     int64
	limit string
	read  int64
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.read > l.n {
		return 0, &LimitError{Limit: l.limit, Max: l.n}
	}
	if int64(len(b)) > l.n+1-l.read {
		b = b[:l.n+1-l.read]
	}
	k, err := l.r.Read(b)
	l.read += int64(k)
	if l.read > l.n {
		return k, &LimitError{Limit: l.limit, Max: l.n}
	}
	return k, err
}

// Kinds of JSON arrays, by the key they are the value of.
const (
	arrOther = iota
	arrPolicies
	arrFailures
)

type frame struct {
	array     bool
	kind      int
	n         int  // array: elements seen
	needValue bool // array: a value may start here
	expectKey bool // object: the next string is a key
	key       []byte
}

// scan walks the JSON once, before it is decoded, and enforces MaxDepth
// and the element counts, so that no limit is found only after the work of
// decoding. It does not validate the JSON: json.Unmarshal does that next.
func (p *Parser) scan(data []byte) error {
	maxDepth := orDefault(p.MaxDepth, DefaultMaxDepth)
	maxPolicies := orDefault(p.MaxPolicies, DefaultMaxPolicies)
	maxFailures := orDefault(p.MaxFailureDetails, DefaultMaxFailureDetails)
	maxArray := orDefault(p.MaxArrayLen, DefaultMaxArrayLen)
	stack := make([]frame, 0, 8)
	failures := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' {
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].array && stack[n-1].needValue && c != ']' && c != ',' {
			top := &stack[n-1]
			top.needValue = false
			top.n++
			switch top.kind {
			case arrPolicies:
				if top.n > maxPolicies {
					return &LimitError{Limit: "MaxPolicies", Max: int64(maxPolicies)}
				}
			case arrFailures:
				failures++
				if failures > maxFailures {
					return &LimitError{Limit: "MaxFailureDetails", Max: int64(maxFailures)}
				}
			default:
				if top.n > maxArray {
					return &LimitError{Limit: "MaxArrayLen", Max: int64(maxArray)}
				}
			}
		}
		switch c {
		case '{', '[':
			if len(stack) >= maxDepth {
				return &LimitError{Limit: "MaxDepth", Max: int64(maxDepth)}
			}
			f := frame{array: c == '[', needValue: c == '[', expectKey: c == '{'}
			if f.array && len(stack) > 0 && !stack[len(stack)-1].array {
				switch string(stack[len(stack)-1].key) {
				case "policies":
					f.kind = arrPolicies
				case "failure-details":
					f.kind = arrFailures
				}
			}
			stack = append(stack, f)
		case '}', ']':
			if len(stack) == 0 {
				return fmt.Errorf("%w: unbalanced %q at offset %d", ErrReportSyntax, c, i)
			}
			stack = stack[:len(stack)-1]
		case ',':
			if n := len(stack); n > 0 {
				if stack[n-1].array {
					stack[n-1].needValue = true
				} else {
					stack[n-1].expectKey = true
				}
			}
		case '"':
			start := i + 1
			escaped := false
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					escaped = true
					i++
				}
			}
			if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].expectKey {
				top := &stack[n-1]
				top.expectKey = false
				end := min(i, len(data))
				top.key = append(top.key[:0], data[start:end]...)
				if escaped {
					var k string
					if json.Unmarshal(data[start-1:min(i+1, len(data))], &k) == nil {
						top.key = append(top.key[:0], k...)
					}
				}
			}
		default:
			// A number or literal: skip to its end.
			for i+1 < len(data) && !isDelim(data[i+1]) {
				i++
			}
		}
	}
	return nil
}

func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ']', '}', ':', '"', '{', '[':
		return true
	}
	return false
}
