#!/usr/bin/perl
# Drives Mail::SRS (Debian libmail-srs-perl) for srs/interop_mailsrs_test.go.
# Reads one JSON request per line on stdin:
#   {"op":"forward"|"reverse","input":ADDR,"alias":DOMAIN,"time":UNIX,
#    "params":{Mail::SRS->new arguments}}
# and writes one JSON line per request: {"ok":true,"output":...} or
# {"ok":false,"error":...}. Strings are handled as bytes (as an MTA would
# pass them), the clock Mail::SRS sees is pinned to "time".
use strict;
use warnings;
our $NOW;
BEGIN { *CORE::GLOBAL::time = sub { defined $NOW ? $NOW : CORE::time() }; }
use Mail::SRS;
use JSON::PP;

my $json = JSON::PP->new->utf8->canonical;
$| = 1;
while (my $line = <STDIN>) {
	chomp $line;
	next if $line eq '';
	my $req = $json->decode($line);
	for my $k (qw(input alias)) {
		utf8::encode($req->{$k}) if defined $req->{$k};
	}
	my %p = %{ $req->{params} || {} };
	if (ref $p{Secret}) { utf8::encode($_) for @{ $p{Secret} }; }
	my %res;
	local $NOW = $req->{time};
	local $SIG{__WARN__} = sub { };
	my $out = eval {
		my $srs = Mail::SRS->new(%p);
		$req->{op} eq 'forward'
			? $srs->forward($req->{input}, $req->{alias})
			: $srs->reverse($req->{input});
	};
	if ($@) {
		(my $err = $@) =~ s/ at \S+ line \d+.*\z//s;
		%res = (ok => JSON::PP::false, error => $err);
	} else {
		utf8::decode($out);
		%res = (ok => JSON::PP::true, output => $out);
	}
	print $json->encode(\%res), "\n";
}
