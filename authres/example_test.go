package authres_test

import (
	"fmt"
	"strings"

	"github.com/mailsmith/mailsmith/authres"
)

func ExampleParse() {
	h, err := authres.Parse("mx.example.net;\r\n" +
		"\tspf=pass smtp.mailfrom=example.org;\r\n" +
		"\tdkim=pass (good signature) header.d=example.org header.s=sel;\r\n" +
		"\tdmarc=pass (p=reject dis=none) header.from=example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.AuthServID)
	for _, r := range h.Results {
		fmt.Println(r.Method, r.Value, r.Props)
	}
	fmt.Println(h.Results[1].Text)
	// Output:
	// mx.example.net
	// spf pass [{smtp mailfrom example.org}]
	// dkim pass [{header d example.org} {header s sel}]
	// dmarc pass [{header from example.org}]
	// dkim=pass (good signature) header.d=example.org header.s=sel
}

func ExampleParse_error() {
	_, err := authres.Parse("mx.example.net; spf=pass smtp.mailfrom")
	fmt.Println(err)
	// Output:
	// authres: at byte 38: expected "=" after the property "smtp.mailfrom", found the end of the value
}

func ExampleBuild() {
	// The strings are what spf.Verdict, dkim.Verification, dmarc.Verdict
	// and ptr.Verdict return from AuthResult.
	h, err := authres.Build("mx.example.net",
		"iprev=pass policy.iprev=192.0.2.1",
		"spf=pass smtp.mailfrom=example.org",
		"dkim=fail (body hash did not verify) header.d=example.org header.s=sel header.a=rsa-sha256",
		"dmarc=fail (p=reject dis=reject) header.from=example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(h.Field(), "\r\n", "\n"))
	// Output:
	// Authentication-Results: mx.example.net;
	// 	iprev=pass policy.iprev=192.0.2.1;
	// 	spf=pass smtp.mailfrom=example.org;
	// 	dkim=fail (body hash did not verify) header.d=example.org header.s=sel
	//  header.a=rsa-sha256;
	// 	dmarc=fail (p=reject dis=reject) header.from=example.org
}

func ExampleHeader_String() {
	h := &authres.Header{AuthServID: "mx.example.net", Results: []authres.Result{
		{Method: "spf", Value: "pass", Props: []authres.Property{{Type: "smtp", Name: "mailfrom", Value: "example.org"}}},
	}}
	fmt.Println(h.String())
	h.Results = nil
	fmt.Println(h.String())
	// Output:
	// mx.example.net; spf=pass smtp.mailfrom=example.org
	// mx.example.net; none
}

func ExampleStripper_Strip() {
	msg := "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=forged.example\r\n" +
		"Authentication-Results: mx.example.org; dkim=pass header.d=example.org\r\n" +
		"Subject: hello\r\n" +
		"\r\n" +
		"body\r\n"
	s := &authres.Stripper{AuthServID: "mx.example.net"}
	var out strings.Builder
	removed, err := s.Strip(&out, strings.NewReader(msg))
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))
	fmt.Println(removed, err)
	// Output:
	// Authentication-Results: mx.example.org; dkim=pass header.d=example.org
	// Subject: hello
	//
	// body
	// 1 <nil>
}
