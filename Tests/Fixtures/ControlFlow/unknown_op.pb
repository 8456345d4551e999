

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
2I
G

f
c

v
out
n
NotARealOpv*
T0"
outn:y:0