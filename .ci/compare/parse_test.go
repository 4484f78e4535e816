package compare

import "testing"

// parser is one library's parser of a record, for benchParse.
type parser struct {
	lib   string
	parse func(text string) error
}

// benchParse measures each parser on text as the sub-benchmark
// lib=<parser.lib>, with the text's length as bytes per operation.
func benchParse(b *testing.B, text string, parsers ...parser) {
	for _, p := range parsers {
		b.Run("lib="+p.lib, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if err := p.parse(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
