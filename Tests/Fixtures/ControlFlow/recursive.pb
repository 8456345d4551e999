

pPlaceholder*
dtype0


xPlaceholder*
dtype0
s
callStatelessIfppx*
else_branchR
f*
Tin
2
*
then_branchR
f*
Tcond0
*
Tout
2¤
¡

f
c

v
outp
nStatelessIfccv*
else_branchR
f*
Tin
2
*
then_branchR
f*
Tcond0
*
Tout
2"
out
n:output:0