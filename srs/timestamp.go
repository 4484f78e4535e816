package srs

import "time"

// base32Alphabet is RFC 4648 base32 (A-Z, 2-7). SRS uses it for the
// timestamp because it survives a remote MTA that changes the case of the
// local part.
const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// dayNumber is floor(unix time / 86400): the day SRS timestamps count.
func dayNumber(t time.Time) int64 {
	u := t.Unix()
	d := u / secondsPerDay
	if u%secondsPerDay < 0 {
		d--
	}
	return d
}

// stampOf returns the day number modulo 1024, the value a timestamp holds.
func stampOf(day int64) int {
	v := day % stampSlots
	if v < 0 {
		v += stampSlots
	}
	return int(v)
}

// encodeStamp writes the two-character timestamp of day: high five bits
// first, as Mail::SRS timestamp_create and libsrs2 do.
func encodeStamp(day int64) [2]byte {
	v := stampOf(day)
	return [2]byte{base32Alphabet[v>>5], base32Alphabet[v&31]}
}

// decodeStamp parses a two-character base32 timestamp, case-insensitively.
func decodeStamp(s string) (int, bool) {
	if len(s) != 2 {
		return 0, false
	}
	hi, ok1 := base32Value(s[0])
	lo, ok2 := base32Value(s[1])
	return hi<<5 | lo, ok1 && ok2
}

func base32Value(c byte) (int, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A'), true
	case c >= 'a' && c <= 'z':
		return int(c - 'a'), true
	case c >= '2' && c <= '7':
		return int(c-'2') + 26, true
	}
	return 0, false
}

// stampValid reports whether a timestamp made stamp days (mod 1024) ago
// is still valid today. As in Mail::SRS timestamp_check: today's value is
// moved up by 1024 until it is not below the stamp (the 1024-day wrap),
// and the stamp is valid while today is at most stamp+maxDays. A stamp
// from the future thus counts as nearly 1024 days old.
func stampValid(stamp int, today int64, maxDays int64) bool {
	now := int64(stampOf(today))
	if now < int64(stamp) {
		now += stampSlots
	}
	return now <= int64(stamp)+maxDays
}
