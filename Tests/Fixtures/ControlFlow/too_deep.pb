

pPlaceholder*
dtype0


xPlaceholder*
dtype0
u
callStatelessIfppx*
else_branchR
f0*
Tin
2
*
then_branchR
f0*
Tcond0
*
Tout
2ž…
¤

f0
c

v
outr
nStatelessIfccv*
else_branchR
f1*
Tin
2
*
then_branchR
f1*
Tcond0
*
Tout
2"
out
n:output:0
¤

f1
c

v
outr
nStatelessIfccv*
else_branchR
f2*
Tin
2
*
then_branchR
f2*
Tcond0
*
Tout
2"
out
n:output:0
¤

f2
c

v
outr
nStatelessIfccv*
else_branchR
f3*
Tin
2
*
then_branchR
f3*
Tcond0
*
Tout
2"
out
n:output:0
¤

f3
c

v
outr
nStatelessIfccv*
else_branchR
f4*
Tin
2
*
then_branchR
f4*
Tcond0
*
Tout
2"
out
n:output:0
¤

f4
c

v
outr
nStatelessIfccv*
else_branchR
f5*
Tin
2
*
then_branchR
f5*
Tcond0
*
Tout
2"
out
n:output:0
¤

f5
c

v
outr
nStatelessIfccv*
else_branchR
f6*
Tin
2
*
then_branchR
f6*
Tcond0
*
Tout
2"
out
n:output:0
¤

f6
c

v
outr
nStatelessIfccv*
else_branchR
f7*
Tin
2
*
then_branchR
f7*
Tcond0
*
Tout
2"
out
n:output:0
¤

f7
c

v
outr
nStatelessIfccv*
else_branchR
f8*
Tin
2
*
then_branchR
f8*
Tcond0
*
Tout
2"
out
n:output:0
¤

f8
c

v
outr
nStatelessIfccv*
else_branchR
f9*
Tin
2
*
then_branchR
f9*
Tcond0
*
Tout
2"
out
n:output:0
¦

f9
c

v
outt
nStatelessIfccv*
else_branchR
f10*
Tin
2
*
then_branchR
f10*
Tcond0
*
Tout
2"
out
n:output:0
§

f10
c

v
outt
nStatelessIfccv*
else_branchR
f11*
Tin
2
*
then_branchR
f11*
Tcond0
*
Tout
2"
out
n:output:0
§

f11
c

v
outt
nStatelessIfccv*
else_branchR
f12*
Tin
2
*
then_branchR
f12*
Tcond0
*
Tout
2"
out
n:output:0
§

f12
c

v
outt
nStatelessIfccv*
else_branchR
f13*
Tin
2
*
then_branchR
f13*
Tcond0
*
Tout
2"
out
n:output:0
§

f13
c

v
outt
nStatelessIfccv*
else_branchR
f14*
Tin
2
*
then_branchR
f14*
Tcond0
*
Tout
2"
out
n:output:0
§

f14
c

v
outt
nStatelessIfccv*
else_branchR
f15*
Tin
2
*
then_branchR
f15*
Tcond0
*
Tout
2"
out
n:output:0
§

f15
c

v
outt
nStatelessIfccv*
else_branchR
f16*
Tin
2
*
then_branchR
f16*
Tcond0
*
Tout
2"
out
n:output:0
§

f16
c

v
outt
nStatelessIfccv*
else_branchR
f17*
Tin
2
*
then_branchR
f17*
Tcond0
*
Tout
2"
out
n:output:0
§

f17
c

v
outt
nStatelessIfccv*
else_branchR
f18*
Tin
2
*
then_branchR
f18*
Tcond0
*
Tout
2"
out
n:output:0
§

f18
c

v
outt
nStatelessIfccv*
else_branchR
f19*
Tin
2
*
then_branchR
f19*
Tcond0
*
Tout
2"
out
n:output:0
§

f19
c

v
outt
nStatelessIfccv*
else_branchR
f20*
Tin
2
*
then_branchR
f20*
Tcond0
*
Tout
2"
out
n:output:0
§

f20
c

v
outt
nStatelessIfccv*
else_branchR
f21*
Tin
2
*
then_branchR
f21*
Tcond0
*
Tout
2"
out
n:output:0
§

f21
c

v
outt
nStatelessIfccv*
else_branchR
f22*
Tin
2
*
then_branchR
f22*
Tcond0
*
Tout
2"
out
n:output:0
§

f22
c

v
outt
nStatelessIfccv*
else_branchR
f23*
Tin
2
*
then_branchR
f23*
Tcond0
*
Tout
2"
out
n:output:0
§

f23
c

v
outt
nStatelessIfccv*
else_branchR
f24*
Tin
2
*
then_branchR
f24*
Tcond0
*
Tout
2"
out
n:output:0
§

f24
c

v
outt
nStatelessIfccv*
else_branchR
f25*
Tin
2
*
then_branchR
f25*
Tcond0
*
Tout
2"
out
n:output:0
§

f25
c

v
outt
nStatelessIfccv*
else_branchR
f26*
Tin
2
*
then_branchR
f26*
Tcond0
*
Tout
2"
out
n:output:0
§

f26
c

v
outt
nStatelessIfccv*
else_branchR
f27*
Tin
2
*
then_branchR
f27*
Tcond0
*
Tout
2"
out
n:output:0
§

f27
c

v
outt
nStatelessIfccv*
else_branchR
f28*
Tin
2
*
then_branchR
f28*
Tcond0
*
Tout
2"
out
n:output:0
§

f28
c

v
outt
nStatelessIfccv*
else_branchR
f29*
Tin
2
*
then_branchR
f29*
Tcond0
*
Tout
2"
out
n:output:0
§

f29
c

v
outt
nStatelessIfccv*
else_branchR
f30*
Tin
2
*
then_branchR
f30*
Tcond0
*
Tout
2"
out
n:output:0
§

f30
c

v
outt
nStatelessIfccv*
else_branchR
f31*
Tin
2
*
then_branchR
f31*
Tcond0
*
Tout
2"
out
n:output:0
§

f31
c

v
outt
nStatelessIfccv*
else_branchR
f32*
Tin
2
*
then_branchR
f32*
Tcond0
*
Tout
2"
out
n:output:0
§

f32
c

v
outt
nStatelessIfccv*
else_branchR
f33*
Tin
2
*
then_branchR
f33*
Tcond0
*
Tout
2"
out
n:output:0
§

f33
c

v
outt
nStatelessIfccv*
else_branchR
f34*
Tin
2
*
then_branchR
f34*
Tcond0
*
Tout
2"
out
n:output:0
§

f34
c

v
outt
nStatelessIfccv*
else_branchR
f35*
Tin
2
*
then_branchR
f35*
Tcond0
*
Tout
2"
out
n:output:0
§

f35
c

v
outt
nStatelessIfccv*
else_branchR
f36*
Tin
2
*
then_branchR
f36*
Tcond0
*
Tout
2"
out
n:output:0
§

f36
c

v
outt
nStatelessIfccv*
else_branchR
f37*
Tin
2
*
then_branchR
f37*
Tcond0
*
Tout
2"
out
n:output:0
§

f37
c

v
outt
nStatelessIfccv*
else_branchR
f38*
Tin
2
*
then_branchR
f38*
Tcond0
*
Tout
2"
out
n:output:0
§

f38
c

v
outt
nStatelessIfccv*
else_branchR
f39*
Tin
2
*
then_branchR
f39*
Tcond0
*
Tout
2"
out
n:output:0
§

f39
c

v
outt
nStatelessIfccv*
else_branchR
f40*
Tin
2
*
then_branchR
f40*
Tcond0
*
Tout
2"
out
n:output:0
§

f40
c

v
outt
nStatelessIfccv*
else_branchR
f41*
Tin
2
*
then_branchR
f41*
Tcond0
*
Tout
2"
out
n:output:0
§

f41
c

v
outt
nStatelessIfccv*
else_branchR
f42*
Tin
2
*
then_branchR
f42*
Tcond0
*
Tout
2"
out
n:output:0
§

f42
c

v
outt
nStatelessIfccv*
else_branchR
f43*
Tin
2
*
then_branchR
f43*
Tcond0
*
Tout
2"
out
n:output:0
§

f43
c

v
outt
nStatelessIfccv*
else_branchR
f44*
Tin
2
*
then_branchR
f44*
Tcond0
*
Tout
2"
out
n:output:0
§

f44
c

v
outt
nStatelessIfccv*
else_branchR
f45*
Tin
2
*
then_branchR
f45*
Tcond0
*
Tout
2"
out
n:output:0
§

f45
c

v
outt
nStatelessIfccv*
else_branchR
f46*
Tin
2
*
then_branchR
f46*
Tcond0
*
Tout
2"
out
n:output:0
§

f46
c

v
outt
nStatelessIfccv*
else_branchR
f47*
Tin
2
*
then_branchR
f47*
Tcond0
*
Tout
2"
out
n:output:0
§

f47
c

v
outt
nStatelessIfccv*
else_branchR
f48*
Tin
2
*
then_branchR
f48*
Tcond0
*
Tout
2"
out
n:output:0
§

f48
c

v
outt
nStatelessIfccv*
else_branchR
f49*
Tin
2
*
then_branchR
f49*
Tcond0
*
Tout
2"
out
n:output:0
§

f49
c

v
outt
nStatelessIfccv*
else_branchR
f50*
Tin
2
*
then_branchR
f50*
Tcond0
*
Tout
2"
out
n:output:0
§

f50
c

v
outt
nStatelessIfccv*
else_branchR
f51*
Tin
2
*
then_branchR
f51*
Tcond0
*
Tout
2"
out
n:output:0
§

f51
c

v
outt
nStatelessIfccv*
else_branchR
f52*
Tin
2
*
then_branchR
f52*
Tcond0
*
Tout
2"
out
n:output:0
§

f52
c

v
outt
nStatelessIfccv*
else_branchR
f53*
Tin
2
*
then_branchR
f53*
Tcond0
*
Tout
2"
out
n:output:0
§

f53
c

v
outt
nStatelessIfccv*
else_branchR
f54*
Tin
2
*
then_branchR
f54*
Tcond0
*
Tout
2"
out
n:output:0
§

f54
c

v
outt
nStatelessIfccv*
else_branchR
f55*
Tin
2
*
then_branchR
f55*
Tcond0
*
Tout
2"
out
n:output:0
§

f55
c

v
outt
nStatelessIfccv*
else_branchR
f56*
Tin
2
*
then_branchR
f56*
Tcond0
*
Tout
2"
out
n:output:0
§

f56
c

v
outt
nStatelessIfccv*
else_branchR
f57*
Tin
2
*
then_branchR
f57*
Tcond0
*
Tout
2"
out
n:output:0
§

f57
c

v
outt
nStatelessIfccv*
else_branchR
f58*
Tin
2
*
then_branchR
f58*
Tcond0
*
Tout
2"
out
n:output:0
§

f58
c

v
outt
nStatelessIfccv*
else_branchR
f59*
Tin
2
*
then_branchR
f59*
Tcond0
*
Tout
2"
out
n:output:0
§

f59
c

v
outt
nStatelessIfccv*
else_branchR
f60*
Tin
2
*
then_branchR
f60*
Tcond0
*
Tout
2"
out
n:output:0
§

f60
c

v
outt
nStatelessIfccv*
else_branchR
f61*
Tin
2
*
then_branchR
f61*
Tcond0
*
Tout
2"
out
n:output:0
§

f61
c

v
outt
nStatelessIfccv*
else_branchR
f62*
Tin
2
*
then_branchR
f62*
Tcond0
*
Tout
2"
out
n:output:0
§

f62
c

v
outt
nStatelessIfccv*
else_branchR
f63*
Tin
2
*
then_branchR
f63*
Tcond0
*
Tout
2"
out
n:output:0
§

f63
c

v
outt
nStatelessIfccv*
else_branchR
f64*
Tin
2
*
then_branchR
f64*
Tcond0
*
Tout
2"
out
n:output:0
§

f64
c

v
outt
nStatelessIfccv*
else_branchR
f65*
Tin
2
*
then_branchR
f65*
Tcond0
*
Tout
2"
out
n:output:0
§

f65
c

v
outt
nStatelessIfccv*
else_branchR
f66*
Tin
2
*
then_branchR
f66*
Tcond0
*
Tout
2"
out
n:output:0
§

f66
c

v
outt
nStatelessIfccv*
else_branchR
f67*
Tin
2
*
then_branchR
f67*
Tcond0
*
Tout
2"
out
n:output:0
§

f67
c

v
outt
nStatelessIfccv*
else_branchR
f68*
Tin
2
*
then_branchR
f68*
Tcond0
*
Tout
2"
out
n:output:0
§

f68
c

v
outt
nStatelessIfccv*
else_branchR
f69*
Tin
2
*
then_branchR
f69*
Tcond0
*
Tout
2"
out
n:output:0
§

f69
c

v
outt
nStatelessIfccv*
else_branchR
f70*
Tin
2
*
then_branchR
f70*
Tcond0
*
Tout
2"
out
n:output:0
§

f70
c

v
outt
nStatelessIfccv*
else_branchR
f71*
Tin
2
*
then_branchR
f71*
Tcond0
*
Tout
2"
out
n:output:0
§

f71
c

v
outt
nStatelessIfccv*
else_branchR
f72*
Tin
2
*
then_branchR
f72*
Tcond0
*
Tout
2"
out
n:output:0
§

f72
c

v
outt
nStatelessIfccv*
else_branchR
f73*
Tin
2
*
then_branchR
f73*
Tcond0
*
Tout
2"
out
n:output:0
§

f73
c

v
outt
nStatelessIfccv*
else_branchR
f74*
Tin
2
*
then_branchR
f74*
Tcond0
*
Tout
2"
out
n:output:0
§

f74
c

v
outt
nStatelessIfccv*
else_branchR
f75*
Tin
2
*
then_branchR
f75*
Tcond0
*
Tout
2"
out
n:output:0
§

f75
c

v
outt
nStatelessIfccv*
else_branchR
f76*
Tin
2
*
then_branchR
f76*
Tcond0
*
Tout
2"
out
n:output:0
§

f76
c

v
outt
nStatelessIfccv*
else_branchR
f77*
Tin
2
*
then_branchR
f77*
Tcond0
*
Tout
2"
out
n:output:0
§

f77
c

v
outt
nStatelessIfccv*
else_branchR
f78*
Tin
2
*
then_branchR
f78*
Tcond0
*
Tout
2"
out
n:output:0
§

f78
c

v
outt
nStatelessIfccv*
else_branchR
f79*
Tin
2
*
then_branchR
f79*
Tcond0
*
Tout
2"
out
n:output:0
§

f79
c

v
outt
nStatelessIfccv*
else_branchR
f80*
Tin
2
*
then_branchR
f80*
Tcond0
*
Tout
2"
out
n:output:0
§

f80
c

v
outt
nStatelessIfccv*
else_branchR
f81*
Tin
2
*
then_branchR
f81*
Tcond0
*
Tout
2"
out
n:output:0
§

f81
c

v
outt
nStatelessIfccv*
else_branchR
f82*
Tin
2
*
then_branchR
f82*
Tcond0
*
Tout
2"
out
n:output:0
§

f82
c

v
outt
nStatelessIfccv*
else_branchR
f83*
Tin
2
*
then_branchR
f83*
Tcond0
*
Tout
2"
out
n:output:0
§

f83
c

v
outt
nStatelessIfccv*
else_branchR
f84*
Tin
2
*
then_branchR
f84*
Tcond0
*
Tout
2"
out
n:output:0
§

f84
c

v
outt
nStatelessIfccv*
else_branchR
f85*
Tin
2
*
then_branchR
f85*
Tcond0
*
Tout
2"
out
n:output:0
§

f85
c

v
outt
nStatelessIfccv*
else_branchR
f86*
Tin
2
*
then_branchR
f86*
Tcond0
*
Tout
2"
out
n:output:0
§

f86
c

v
outt
nStatelessIfccv*
else_branchR
f87*
Tin
2
*
then_branchR
f87*
Tcond0
*
Tout
2"
out
n:output:0
§

f87
c

v
outt
nStatelessIfccv*
else_branchR
f88*
Tin
2
*
then_branchR
f88*
Tcond0
*
Tout
2"
out
n:output:0
§

f88
c

v
outt
nStatelessIfccv*
else_branchR
f89*
Tin
2
*
then_branchR
f89*
Tcond0
*
Tout
2"
out
n:output:0
§

f89
c

v
outt
nStatelessIfccv*
else_branchR
f90*
Tin
2
*
then_branchR
f90*
Tcond0
*
Tout
2"
out
n:output:0
§

f90
c

v
outt
nStatelessIfccv*
else_branchR
f91*
Tin
2
*
then_branchR
f91*
Tcond0
*
Tout
2"
out
n:output:0
§

f91
c

v
outt
nStatelessIfccv*
else_branchR
f92*
Tin
2
*
then_branchR
f92*
Tcond0
*
Tout
2"
out
n:output:0
§

f92
c

v
outt
nStatelessIfccv*
else_branchR
f93*
Tin
2
*
then_branchR
f93*
Tcond0
*
Tout
2"
out
n:output:0
§

f93
c

v
outt
nStatelessIfccv*
else_branchR
f94*
Tin
2
*
then_branchR
f94*
Tcond0
*
Tout
2"
out
n:output:0
§

f94
c

v
outt
nStatelessIfccv*
else_branchR
f95*
Tin
2
*
then_branchR
f95*
Tcond0
*
Tout
2"
out
n:output:0
§

f95
c

v
outt
nStatelessIfccv*
else_branchR
f96*
Tin
2
*
then_branchR
f96*
Tcond0
*
Tout
2"
out
n:output:0
§

f96
c

v
outt
nStatelessIfccv*
else_branchR
f97*
Tin
2
*
then_branchR
f97*
Tcond0
*
Tout
2"
out
n:output:0
§

f97
c

v
outt
nStatelessIfccv*
else_branchR
f98*
Tin
2
*
then_branchR
f98*
Tcond0
*
Tout
2"
out
n:output:0
§

f98
c

v
outt
nStatelessIfccv*
else_branchR
f99*
Tin
2
*
then_branchR
f99*
Tcond0
*
Tout
2"
out
n:output:0
©

f99
c

v
outv
nStatelessIfccv*
else_branchR
f100*
Tin
2
*
then_branchR
f100*
Tcond0
*
Tout
2"
out
n:output:0
N

f100
c

v
out
nReluv*
T0"
outn:activations:0