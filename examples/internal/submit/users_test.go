package submit

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUsers(t *testing.T) {
	u := Users{}
	require.NoError(t, ParseUsers(strings.NewReader("a@example.org:pw:with:colons\n\n# c\n"), u))
	require.True(t, u.Check("A@example.org", "pw:with:colons"))
	require.False(t, u.Check("a@example.org", "pw"))
	require.False(t, u.Check("b@example.org", "pw:with:colons"))
	require.Error(t, ParseUsers(strings.NewReader("nobody\n"), Users{}))
}
