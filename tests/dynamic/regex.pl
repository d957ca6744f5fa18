# regex.pl — Perl with regexes for tests/dynamic (native vs emu).
use strict; use warnings;
my $text = join "", map { sprintf "id=%04d name=%s score=%d\n", $_, ("alpha","beta","gamma","delta")[$_ % 4], ($_ * 37) % 101 } 1..3000;
my @rows = $text =~ /^id=(\d+) name=(\w+) score=(\d+)$/mg;
printf "%d fields, last %s\n", scalar @rows, join ",", @rows[-3..-1];
my %best;
while ($text =~ /^id=(\d+) name=(\w+) score=(\d+)$/mg) { $best{$2} = $3 if !defined $best{$2} || $3 > $best{$2} }
print join(" ", map { "$_:$best{$_}" } sort keys %best), "\n";
(my $t = "The quick brown fox jumps over the lazy dog") =~ s/(\w+)/\u\L$1/g;
print "$t\n";
my $s = "aaa bbb ccc" x 3; my $n = () = $s =~ /b+/g; print "b-runs $n\n";
print join("|", split /\s*[,;]\s*/, "a , b;c ;  d"), "\n";
print "lookahead ok\n" if "password123" =~ /^(?=.*\d)(?=.*[a-z]).{8,}$/;
my $nested = "f(a, g(b, h(c)), d)"; my $re; $re = qr/\((?:[^()]++|(??{$re}))*\)/; $nested =~ /($re)/; print "balanced $1\n";
my %h = map { $_ => length } qw(apple banana cherry); print join(",", map {"$_=$h{$_}"} sort { $h{$a} <=> $h{$b} or $a cmp $b } keys %h), "\n";
printf "%.10f %s\n", atan2(1, 1) * 4, scalar reverse "emulator";
use Digest::MD5 qw(md5_hex); print md5_hex($text), "\n";
my @sorted = sort { $a <=> $b } map { ($_ * 7919) % 10007 } 1..20000; print "@sorted[0..4] $sorted[-1]\n";
open(my $fh, "-|", "echo", "from a child") or die; print "pipe: ", <$fh>; close $fh;
