/**
 * The packaged template as the tests compare it: a secret-read statement's resource as serverless.yml writes it, the
 * secret's name with `-??????` in this stack's account and region.
 */
export const secretArnOf = (name: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':secretsmanager:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':secret:',
      name,
      '-??????',
    ],
  ],
});
