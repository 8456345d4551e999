

pPlaceholder*
dtype0


xPlaceholder*
dtype0
y
callStatelessIfppx*
else_branchR
nope*
Tin
2
*
then_branchR
nope*
Tcond0
*
Tout
2M
K

f
c

v
out
nReluv*
T0"
outn:activations:0