

xPlaceholder*
dtype0

mMergexn*
T0

nNextIterationm*
T0