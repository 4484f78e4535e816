package smtp

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorfNesting checks errorf at depth: each level adds its words, the
// prefix stays single, and every error in the chain is still reachable.
func TestErrorfNesting(t *testing.T) {
	reply := &Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "no"}
	rcpt := &RecipientError{Recipient: "r@b.test", Err: reply}
	err := errorf("outer: %w", errorf("%w: middle: %w", ErrClientArgument, rcpt))
	assert.Equal(t, "smtp: outer: invalid argument: middle: recipient <r@b.test>: 550 5.7.1 no", err.Error())
	assert.ErrorIs(t, err, ErrClientArgument)
	var re *RecipientError
	require.ErrorAs(t, err, &re)
	assert.Same(t, rcpt, re)
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Same(t, reply, se)
	assert.Nil(t, inner(nil))
	plain := errors.New("dial tcp: refused")
	assert.Equal(t, "smtp: dial: dial tcp: refused", errorf("dial: %w", plain).Error())
}
